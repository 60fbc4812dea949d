import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelAuth
import PeelCore
import PeelForms
import PeelStore
import PeelTestSupport
import PeelWeb
import Testing

@Suite("Back office: every staff route, every role, another force's data")
struct StaffRouteMatrixTests {
    @Test("every staff route has a policy; another force's reports, staff and settings answer 404; a role without the permission gets 403",
        arguments: TestEngine.all)
    func matrix(engine: TestEngine) async throws {
        let scratch = try await ScratchDatabase.make(engine)
        defer { Task { await scratch.remove() } }
        let clock = TestClock()
        let configuration = try testConfiguration(scratch)
        let store = try await openStore(configuration, logger: testLogger)
        do {
            let policies = StaffRoutePolicies()
            let router = try buildRouter(
                try webDependencies(
                    configuration, store: store, pages: try await PageRenderer.bundled(), catalogue: try ServiceCatalogue.bundled(),
                    now: clock.reader, policies: policies))
            let staffRoutes = router.routes.filter {
                $0.path.description.hasPrefix("/{force}/staff") || $0.path.description.hasPrefix("/national/staff")
            }
            #expect(staffRoutes.count >= 30)
            for route in staffRoutes {
                #expect(policies.policy(route.method, route.path.description) != nil, "\(route) was registered without a policy")
            }
            // The records-system connection and the duplicate decisions are in the matrix, with their permissions.
            let named: [(HTTPRequest.Method, String, StaffPermission)] = [
                (.get, "/{force}/staff/admin/delivery/connection", .manageForce),
                (.post, "/{force}/staff/admin/delivery/connection", .manageForce),
                (.post, "/{force}/staff/reports/{report}/duplicates", .changeStatus),
            ]
            for (method, path, permission) in named {
                #expect(staffRoutes.contains { $0.method == method && $0.path.description == path }, "\(method) \(path) is not a route")
                #expect(policies.policy(method, path) == .permission(permission), "\(method) \(path)")
            }
            // Another force's objects.
            let west = ForceID("west-midlands")
            let theirReport = try await seedReport(store, force: west)
            let theirStaff = try await createStaff(scratch, force: "west-midlands", roles: [.forceAdministrator], email: "admin@wmp.police.uk")
            let ourReport = try await seedReport(store, force: ForceID("metropolitan"))
            let routeList = staffRoutes.map { StaffRouteUnderTest(method: $0.method, path: $0.path.description) }

            try await Application(router: router, logger: testLogger).test(.router) { client in
                var browsers: [(StaffRole, TestBrowser)] = []
                for role in [StaffRole.contactHandler, .officer, .supervisor, .forceAdministrator] {
                    let account = try await createStaff(scratch, force: "metropolitan", roles: [role], email: "\(role.rawValue)@met.police.uk")
                    var browser = TestBrowser(client: client)
                    let signedIn = try await browser.signIn(account, force: "metropolitan", clock: clock)
                    #expect(signedIn.status.code < 400 || signedIn.status == .forbidden, "\(role) could not sign in")
                    browsers.append((role, browser))
                }
                func fill(_ pattern: String, force: String, report: String, staff: String) -> String {
                    pattern.replacingOccurrences(of: "{force}", with: force).replacingOccurrences(of: "{report}", with: report)
                        .replacingOccurrences(of: "{staff}", with: staff).replacingOccurrences(of: "{service}", with: "report-theft")
                }
                func send(_ method: HTTPRequest.Method, _ path: String, _ browser: TestBrowser) async throws -> HTTPResponse.Status {
                    let token = browser.cookies["peel_csrf"] ?? ""
                    let response = try await client.execute(
                        uri: path, method: method,
                        headers: [.cookie: browser.cookieHeader, .contentType: "application/x-www-form-urlencoded"],
                        body: method == .post ? ByteBuffer(string: "csrf_token=\(token)") : nil)
                    return response.status
                }
                // Signing out ends the session the later checks use, so those routes go last.
                let ordered = routeList.sorted { a, b in
                    let lastA = a.path.contains("sign-out")
                    let lastB = b.path.contains("sign-out")
                    return lastA == lastB ? "\(a.method) \(a.path)" < "\(b.method) \(b.path)" : !lastA
                }
                var checked = 0
                var national = TestBrowser(client: client)
                let nationalAccount = try await createStaff(scratch, force: "", roles: [.nationalAdministrator], email: "national@police.uk")
                let nationalSignIn = try await national.post(
                    "/national/staff/sign-in", [("email", nationalAccount.member.email), ("password", nationalAccount.password)])
                #expect(nationalSignIn.path == "/national/staff/sign-in/code")
                clock.advance(30)
                let nationalHome = try await national.post(
                    "/national/staff/sign-in/code", [("code", nationalAccount.totp.code(step: TOTP.step(at: clock.now)))])
                #expect(nationalHome.path == "/national/staff/")
                for route in ordered {
                    guard case .permission(let permission) = policies.policy(route.method, route.path) else { continue }
                    let pattern = route.path
                    if pattern.hasPrefix("/national/") {
                        // The national team's pages: no force's staff, whatever their role, gets further than 404.
                        let path = fill(pattern, force: "west-midlands", report: theirReport.id, staff: theirStaff.member.id)
                        for (role, browser) in browsers {
                            let status = try await send(route.method, path, browser)
                            #expect(status == .notFound, "\(role) \(route.method) \(path) answered \(status), not 404")
                            checked += 1
                        }
                        if !pattern.contains("sign-out") {
                            let status = try await send(route.method, path, national)
                            let granted = permission.isGranted(to: [.nationalAdministrator])
                            // West Midlands has not granted the national team its reports: 404.
                            let expectNotFound = pattern.contains("/reports")
                            #expect(
                                expectNotFound
                                    ? status == .notFound
                                    : granted ? status.code < 500 && status != .forbidden && status != .notFound : status == .forbidden,
                                "national \(route.method) \(path) answered \(status)")
                        }
                        continue
                    }
                    // A national administrator reads no force's pages at all.
                    let forcePath = fill(pattern, force: "metropolitan", report: ourReport.id, staff: theirStaff.member.id)
                    if !pattern.contains("sign-out") {
                        let status = try await send(route.method, forcePath, national)
                        #expect(status == .notFound, "national \(route.method) \(forcePath) answered \(status), not 404")
                    }
                    let names = pattern.contains("{report}") || pattern.contains("{staff}")
                    // Another force's address: 404 for everyone, whatever their role.
                    let elsewhere = fill(pattern, force: "west-midlands", report: theirReport.id, staff: theirStaff.member.id)
                    for (role, browser) in browsers where !pattern.contains("sign-out") {
                        let status = try await send(route.method, elsewhere, browser)
                        #expect(status == .notFound, "\(role) \(route.method) \(elsewhere) answered \(status)")
                    }
                    // Our address naming another force's report or member of staff.
                    let ours = fill(pattern, force: "metropolitan", report: theirReport.id, staff: theirStaff.member.id)
                    for (role, browser) in browsers {
                        let status = try await send(route.method, ours, browser)
                        if !permission.isGranted(to: [role]) {
                            #expect(status == .forbidden, "\(role) \(route.method) \(ours) answered \(status), not 403")
                        } else if names {
                            #expect(status == .notFound, "\(role) \(route.method) \(ours) answered \(status), not 404")
                        } else {
                            #expect(status.code < 500 && status != .forbidden && status != .notFound, "\(role) \(route.method) \(ours) answered \(status)")
                        }
                        checked += 1
                    }
                }
                let guarded = routeList.filter { route in
                    if case .permission = policies.policy(route.method, route.path) { return true }
                    return false
                }
                #expect(guarded.count >= 23)
                #expect(checked == guarded.count * browsers.count)
                // The force's own report is there for those who may see it: the 404s above were the other force's.
                var handler = TestBrowser(client: client)
                let account = try await createStaff(scratch, force: "metropolitan", roles: [.contactHandler], email: "again@met.police.uk")
                try await handler.signIn(account, force: "metropolitan", clock: clock)
                #expect(try await send(.get, "/metropolitan/staff/reports/\(ourReport.id)", handler) == .ok)
            }
        } catch {
            try? await store.database.close()
            throw error
        }
        try await store.database.close()
    }
}

struct StaffRouteUnderTest: Sendable {
    let method: HTTPRequest.Method
    let path: String
}
