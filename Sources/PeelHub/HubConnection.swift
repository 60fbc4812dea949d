import Foundation
import PeelAuth
import PeelCore

/// A force's records-system connection as someone asks for it: a force administrator in the
/// back office, or the operator with `peel hub configure`. Both go through ``HubConnection``,
/// so the rules and the sealing of the secret are the same whichever way it is set.
package struct HubConnectionRequest: Sendable, Hashable {
    /// `standard-api`, `file-drop`, `email`, or `none` (the demo records system).
    package var adapter: String
    package var url: String
    /// A new shared secret; empty keeps the one already set.
    package var secret: String
    /// Draw a new secret (to be shown once) rather than give one.
    package var generateSecret: Bool
    /// The file-drop folder; empty keeps the one already set.
    package var directory: String
    package var email: String

    package init(
        adapter: String, url: String = "", secret: String = "", generateSecret: Bool = false, directory: String = "",
        email: String = ""
    ) {
        self.adapter = adapter
        self.url = url
        self.secret = secret
        self.generateSecret = generateSecret
        self.directory = directory
        self.email = email
    }
}

/// Checks a connection request, seals its secret, and saves it with an audit entry.
package enum HubConnection {
    /// The adapter choice that takes the connection away: reports go to the demo records system.
    package static let none = "none"
    package static let secretMinimum = 32
    package static let secretMaximum = 256
    /// Where a force's file-drop folders are, under the data folder, when chosen from the web.
    package static let dropsFolder = "drops"

    /// What a file-drop folder may be.
    package enum Folders: Sendable, Hashable {
        /// From the back office: a simple folder name, placed under `<data>/drops/<force>/`.
        /// A force administrator cannot point the server at any other place on its disks.
        case named(dataDirectory: String)
        /// From the command line, run by the operator: any folder (a relative path is taken from
        /// the working folder).
        case anyPath
    }

    /// The request's part a problem is with: the form field in the back office, the option
    /// (`--url`) on the command line.
    package enum Field: String, Sendable, Hashable {
        case adapter, url, secret, directory, email
    }

    package struct Problem: Sendable, Hashable {
        package var field: Field
        package var message: String
        package init(_ field: Field, _ message: String) {
            self.field = field
            self.message = message
        }
    }

    /// Everything wrong with a request; nothing was saved.
    package struct Refused: Error, Sendable, Hashable, CustomStringConvertible {
        package var problems: [Problem]
        package var description: String {
            problems.map { "--\($0.field.rawValue): \($0.message)" }.joined(separator: "; ")
        }
    }

    /// A checked request: the connection to save (its secret sealed), or none.
    package enum Change: Sendable, Hashable {
        /// `generatedSecret` is the new secret Peel drew, to be shown once and never again.
        case save(HubEndpoint, generatedSecret: String?, secretChanged: Bool)
        case remove(ForceID)

        /// What the audit log says of it: never the secret.
        package var auditDetail: String {
            switch self {
            case .remove: return "none: the demo records system"
            case .save(let endpoint, let generated, let changed):
                switch endpoint.adapter {
                case .standardAPI:
                    let secret = generated != nil ? "new secret generated" : changed ? "new secret" : "secret kept"
                    return "standard-api to \(endpoint.url ?? ""); \(secret)"
                case .fileDrop: return "file-drop into \(endpoint.directory ?? "")"
                case .email: return "email to \(endpoint.email ?? "")"
                }
            }
        }
    }

    /// Checks `request` against the rules of its adapter (only the chosen adapter's fields are
    /// read), seals a new secret with `secrets`, and keeps the current secret or folder when
    /// none is given. Throws ``Refused`` with every problem at once.
    package static func settle(
        _ request: HubConnectionRequest, force: ForceID, current: HubEndpoint?, folders: Folders, secrets: SecretBox,
        now: Date
    ) throws -> Change {
        if request.adapter == none { return .remove(force) }
        guard let adapter = HubAdapter(rawValue: request.adapter) else {
            throw Refused(problems: [Problem(.adapter, "Choose how reports reach the records system")])
        }
        var problems: [Problem] = []
        var endpoint = HubEndpoint(forceID: force, adapter: adapter)
        var generated: String?
        var changed = false
        switch adapter {
        case .standardAPI:
            let url = request.url.trimmingCharacters(in: .whitespaces)
            if let problem = urlProblem(url) { problems.append(Problem(.url, problem)) } else { endpoint.url = url }
            let kept = current?.adapter == .standardAPI ? current : nil
            if request.generateSecret {
                if !request.secret.isEmpty {
                    problems.append(Problem(.secret, "Enter a secret or ask for a new one to be generated, not both"))
                } else {
                    generated = Tokens.generate()
                }
            } else if !request.secret.isEmpty {
                if let problem = secretProblem(request.secret) { problems.append(Problem(.secret, problem)) }
            } else if kept?.sealedSecret == nil {
                problems.append(
                    Problem(
                        .secret, "Enter the shared secret (\(secretMinimum) characters or more), or generate a new one")
                )
            }
            guard problems.isEmpty else { break }
            if let secret = generated ?? (request.secret.isEmpty ? nil : request.secret) {
                endpoint.sealedSecret = try secrets.seal(Array(secret.utf8))
                endpoint.secretSetAt = now
                changed = true
            } else {
                endpoint.sealedSecret = kept?.sealedSecret
                endpoint.secretSetAt = kept?.secretSetAt
            }
        case .fileDrop:
            let given = request.directory.trimmingCharacters(in: .whitespaces)
            if given.isEmpty {
                if current?.adapter == .fileDrop, let directory = current?.directory {
                    endpoint.directory = directory
                } else {
                    problems.append(Problem(.directory, "Enter the folder to write reports into"))
                }
            } else {
                switch folders {
                case .anyPath:
                    endpoint.directory = URL(fileURLWithPath: given).standardizedFileURL.path
                case .named(let data):
                    if isFolderName(given) {
                        endpoint.directory = dropFolder(given, force: force, dataDirectory: data)
                    } else {
                        problems.append(
                            Problem(
                                .directory,
                                "Enter a folder name of letters, digits, hyphens and underscores (up to 64), like inbound"
                            ))
                    }
                }
            }
        case .email:
            let email = request.email.trimmingCharacters(in: .whitespaces).lowercased()
            if EmailAddress.isWellFormed(email) {
                endpoint.email = email
            } else {
                problems.append(
                    Problem(
                        .email,
                        "Enter the force mailbox's address in the correct format, like online-reports@force.police.uk"))
            }
        }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        return .save(endpoint, generatedSecret: generated, secretChanged: changed)
    }

    /// Saves (or removes) the connection and writes the change to the force's audit log.
    /// `actorID` is the member of staff, or nil for the operator at the command line.
    package static func apply(
        _ change: Change, hub: any HubRepository, audit: any AuditLog, actorID: String?, at date: Date
    )
        async throws
    {
        let force: ForceID
        switch change {
        case .save(let endpoint, _, _):
            force = endpoint.forceID
            try await hub.save(endpoint, at: date)
        case .remove(let id):
            force = id
            try await hub.removeEndpoint(for: id)
        }
        try await audit.append(
            AuditRecord(
                forceID: force, actorID: actorID, action: "hub.configure", subject: "force:\(force)",
                detail: change.auditDetail + (actorID == nil ? "; from the command line" : "")),
            at: date)
    }

    /// Why `url` cannot be a standard API's address, or nil: an absolute http(s) address without
    /// credentials, https unless the host is this machine (the fake records system of demos).
    package static func urlProblem(_ url: String) -> String? {
        if url.isEmpty { return "Enter the address of the records system's standard API" }
        guard url.count <= 2000, !url.contains(where: \.isWhitespace), let parsed = URL(string: url),
            let scheme = parsed.scheme?.lowercased(), scheme == "https" || scheme == "http", let host = parsed.host,
            !host.isEmpty
        else { return "Enter the address in full, like https://records.force.example/reports" }
        if parsed.user != nil || parsed.password != nil {
            return "Take the user name and password out of the address: the shared secret signs every request"
        }
        if scheme == "http" && !isLoopback(host) {
            return "The address must start https:// (http:// only for a records system on this machine)"
        }
        return nil
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || (bare.hasPrefix("127.") && bare.split(separator: ".").count == 4)
    }

    static func secretProblem(_ secret: String) -> String? {
        if secret.count < secretMinimum { return "The shared secret must be \(secretMinimum) characters or more" }
        if secret.count > secretMaximum { return "The shared secret must be \(secretMaximum) characters or fewer" }
        if secret.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            return "The shared secret must be one line, without tabs"
        }
        return nil
    }

    /// A simple folder name: a letter or digit, then letters, digits, hyphens and underscores.
    static func isFolderName(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 64, first.isASCII, first.isLetter || first.isNumber else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// `<data>/drops/<force>/<name>`, absolute.
    package static func dropFolder(_ name: String, force: ForceID, dataDirectory: String) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(dropsFolder).appendingPathComponent(force.rawValue)
            .appendingPathComponent(name).standardizedFileURL.path
    }

    /// The folder name a force administrator gave, when `directory` is one of the force's drop
    /// folders; nil for a folder the operator chose elsewhere.
    package static func folderName(of directory: String, force: ForceID, dataDirectory: String) -> String? {
        let name = URL(fileURLWithPath: directory).lastPathComponent
        return isFolderName(name) && dropFolder(name, force: force, dataDirectory: dataDirectory) == directory
            ? name : nil
    }
}
