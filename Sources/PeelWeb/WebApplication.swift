import Foundation
import Hummingbird
import PeelCore
import PeelForms
import PeelPoliceData

/// What the web layer needs from the rest of Peel, as PeelCore protocols: PeelWeb never speaks
/// SQL.
package struct WebDependencies: Sendable {
    package var forces: any ForceRepository
    package var forceContent: any ForceContentRepository
    package var jobs: any JobQueue
    package var health: any HealthCheckable
    package var metrics: WebMetrics
    package var pages: PageRenderer
    package var catalogue: ServiceCatalogue
    package var journeys: any JourneyRepository
    package var reports: any ReportRepository
    package var messages: any MessageRepository
    package var serviceSettings: any ForceServiceSettingsRepository
    /// Whether the public address is `https`: secure cookies and HSTS.
    package var servedOverTLS: Bool
    /// Demo tools: the local mailbox at `/_dev/mailbox`.
    package var devTools: Bool
    /// The back office: staff sign-in and the handling of reports. Without it, no staff routes.
    package var staffSecurity: StaffSecurity?
    package var cases: (any CaseRepository)?
    /// The public address, for links in emails.
    package var publicURL = ""
    /// Where each staff route's policy is recorded as it is registered.
    package var staffPolicies = StaffRoutePolicies()
    /// Records systems' connections, for their signed callbacks and the administrators' delivery page.
    package var hub: (any HubRepository)?
    /// The data folder: a force administrator's file-drop folders are under its `drops/`.
    package var dataDirectory = ""
    /// MyPolice: sign-in by emailed code, and the person's reports and messages.
    package var portalSecurity: PortalSecurity?
    package var portal: (any PortalRepository)?
    /// Where each MyPolice route's policy is recorded as it is registered.
    package var portalPolicies = PortalRoutePolicies()
    /// GOV.UK Notify's delivery receipts (`POST /api/v1/notify/receipts`).
    package var notifyReceipts: NotifyReceipts?
    /// Imported police.uk data, served under `/data-api/`; without it, no data API.
    package var policeData: PoliceData?
    /// The data API's per-client limit; `nil` for none (benchmarks).
    package var policeDataRateLimit: RateLimiter? = RateLimiter()
    /// Wrong return codes a client may try before resuming is refused for a while: ten, then one
    /// more every six minutes (decision 0035).
    package var resumeAttemptLimit = RateLimiter(perSecond: 1.0 / 360, burst: 10)
    /// Whether per-client limits read the client's address from `X-Forwarded-For`.
    package var trustForwardedFor = false
    /// Forces' neighbourhoods, for the data API's neighbourhood methods.
    package var neighbourhoods: (any NeighbourhoodRepository)?

    package init(
        forces: any ForceRepository, forceContent: any ForceContentRepository, jobs: any JobQueue,
        health: any HealthCheckable, metrics: WebMetrics, pages: PageRenderer, catalogue: ServiceCatalogue,
        journeys: any JourneyRepository, reports: any ReportRepository, messages: any MessageRepository,
        serviceSettings: any ForceServiceSettingsRepository, servedOverTLS: Bool, devTools: Bool
    ) {
        self.forces = forces
        self.forceContent = forceContent
        self.jobs = jobs
        self.health = health
        self.metrics = metrics
        self.pages = pages
        self.catalogue = catalogue
        self.journeys = journeys
        self.reports = reports
        self.messages = messages
        self.serviceSettings = serviceSettings
        self.servedOverTLS = servedOverTLS
        self.devTools = devTools
    }
}

/// Builds Peel's router: middleware in order, then the operations routes and, unless this node
/// only runs jobs, the national pages and every force's site.
package func buildRouter(_ dependencies: WebDependencies, publicSite: Bool = true) throws -> Router<PeelRequestContext> {
    let router = Router(context: PeelRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        ObservabilityMiddleware(metrics: dependencies.metrics)
        SecurityHeadersMiddleware(servedOverTLS: dependencies.servedOverTLS)
        LanguageMiddleware(secureCookies: dependencies.servedOverTLS)
        ErrorPageMiddleware(pages: dependencies.pages)
        CSRFMiddleware(secureCookies: dependencies.servedOverTLS)
    }
    let stylesheet = try Data(contentsOf: WebResources.directory().appendingPathComponent("Public/peel.css"))
    OperationsController(
        health: dependencies.health, jobs: dependencies.jobs, metrics: dependencies.metrics,
        stylesheet: ByteBuffer(bytes: stylesheet)
    ).addRoutes(to: router)
    guard publicSite else { return router }
    NationalController(forces: dependencies.forces, pages: dependencies.pages).addRoutes(to: router)
    let offer = ServiceOffer(catalogue: dependencies.catalogue, settings: dependencies.serviceSettings)
    ServicesAPIController(forces: dependencies.forces, offer: offer).addRoutes(to: router)
    if let receipts = dependencies.notifyReceipts { NotifyReceiptsController(receipts: receipts, now: Date.init).addRoutes(to: router) }
    if let policeData = dependencies.policeData {
        PoliceDataAPIController(
            data: policeData, forces: dependencies.forces, limiter: dependencies.policeDataRateLimit,
            trustForwardedFor: dependencies.trustForwardedFor, neighbourhoods: dependencies.neighbourhoods
        ).addRoutes(to: router)
    }
    if dependencies.devTools {
        MailboxController(messages: dependencies.messages, pages: dependencies.pages).addRoutes(to: router)
        QuestionGalleryController(pages: dependencies.pages).addRoutes(to: router)
    }
    let forceSite = router.group(SiteURL.forceGroup)
        .add(middleware: ForceResolverMiddleware(forces: dependencies.forces))
        .group(context: ForceRequestContext.self)
    ForceSiteController(content: dependencies.forceContent, pages: dependencies.pages, offer: offer)
        .addRoutes(to: forceSite)
    if let policeData = dependencies.policeData {
        CrimeAreaController(data: policeData, pages: dependencies.pages).addRoutes(national: router, force: forceSite)
    }
    if let neighbourhoods = dependencies.neighbourhoods {
        NeighbourhoodPageController(neighbourhoods: neighbourhoods, pages: dependencies.pages).addRoutes(to: forceSite)
    }
    JourneyController(
        service: JourneyService(
            offer: offer, journeys: dependencies.journeys, reports: dependencies.reports, jobs: dependencies.jobs),
        pages: dependencies.pages, secureCookies: dependencies.servedOverTLS, resumeLimit: dependencies.resumeAttemptLimit,
        trustForwardedFor: dependencies.trustForwardedFor
    ).addRoutes(to: forceSite)
    if let hub = dependencies.hub, let security = dependencies.staffSecurity {
        HubCallbackController(hub: hub, forces: dependencies.forces, secrets: security.secrets, now: security.now)
            .addRoutes(to: router)
        HubMediaController(
            hub: hub, forces: dependencies.forces, reports: dependencies.reports, secrets: security.secrets, audit: security.audit,
            now: security.now
        ).addRoutes(to: router)
    }
    if let security = dependencies.portalSecurity, let portal = dependencies.portal {
        let group = router.group(PortalURL.group)
            .add(middleware: ForceResolverMiddleware(forces: dependencies.forces))
            .add(middleware: PortalSessionMiddleware(security: security))
            .group(context: ForceRequestContext.self)
        PortalController(
            security: security, portal: portal, forces: dependencies.forces, catalogue: dependencies.catalogue,
            pages: dependencies.pages, secureCookies: dependencies.servedOverTLS, trustForwardedFor: dependencies.trustForwardedFor
        ).addRoutes(
            to: PortalRoutes(
                open: group, signedIn: group.group(context: PortalRequestContext.self), policies: dependencies.portalPolicies))
    }
    if let security = dependencies.staffSecurity, let cases = dependencies.cases {
        let policies = dependencies.staffPolicies
        let signIn = StaffAuthController<ForceRequestContext>(
            security: security, pages: dependencies.pages, secureCookies: dependencies.servedOverTLS,
            home: { realm in realm.path("/") })
        let staffSite = router.group(StaffURL.group)
            .add(middleware: ForceResolverMiddleware(forces: dependencies.forces))
            .add(middleware: StaffSessionMiddleware(security: security))
            .group(context: ForceRequestContext.self)
        signIn.addRoutes(to: StaffSignInRoutes(group: staffSite, pattern: StaffURL.groupPattern, policies: policies))
        let backOffice = BackOfficeController(
            security: security, forces: dependencies.forces, hub: dependencies.hub, cases: cases, catalogue: dependencies.catalogue,
            serviceSettings: dependencies.serviceSettings, forceContent: dependencies.forceContent, jobs: dependencies.jobs,
            portal: dependencies.portal, pages: dependencies.pages, publicURL: dependencies.publicURL, dataDirectory: dependencies.dataDirectory)
        backOffice.addRoutes(
            to: StaffRoutes(
                signedIn: staffSite.group(context: StaffRequestContext.self), pattern: StaffURL.groupPattern, policies: policies))
        if let neighbourhoods = dependencies.neighbourhoods {
            NeighbourhoodAdminController(security: security, neighbourhoods: neighbourhoods, pages: dependencies.pages).addRoutes(
                to: StaffRoutes(
                    signedIn: staffSite.group(context: StaffRequestContext.self), pattern: StaffURL.groupPattern, policies: policies))
        }

        // The national team: its own address, sign-in and pages; no force's reports.
        let national = router.group(RouterPath(StaffURL.nationalPattern))
            .add(middleware: StaffSessionMiddleware(security: security))
            .group(context: NationalRequestContext.self)
        StaffAuthController<NationalRequestContext>(
            security: security, pages: dependencies.pages, secureCookies: dependencies.servedOverTLS,
            home: { realm in realm.path("/") }
        ).addRoutes(to: StaffSignInRoutes(group: national, pattern: StaffURL.nationalPattern, policies: policies))
        NationalAdminController(
            security: security, forces: dependencies.forces, catalogue: dependencies.catalogue, pages: dependencies.pages,
            desk: backOffice
        ).addRoutes(
            to: StaffRoutes(
                signedIn: national.group(context: NationalStaffRequestContext.self), pattern: StaffURL.nationalPattern,
                policies: policies))
    }
    return router
}
