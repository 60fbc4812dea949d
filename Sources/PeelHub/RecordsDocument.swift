import Foundation
import PeelCore
import PeelForms

/// The document Peel sends a records system for one report (`docs/integration/openapi.yaml`):
/// structured for a records system (people with roles, vehicles and property, places, when it
/// happened, the statement), with every answer also given with its question's words.
package struct RecordsDocument: Codable, Sendable, Hashable {
    package struct Person: Codable, Sendable, Hashable {
        package var role: String
        package var name: String?
        package var dateOfBirth: String?
        package var ageRange: String?
        package var description: String?
        package var email: String?
        package var phone: String?

        package init(
            role: String, name: String? = nil, dateOfBirth: String? = nil, ageRange: String? = nil, description: String? = nil,
            email: String? = nil, phone: String? = nil
        ) {
            self.role = role
            self.name = name
            self.dateOfBirth = dateOfBirth
            self.ageRange = ageRange
            self.description = description
            self.email = email
            self.phone = phone
        }
    }

    package struct Object: Codable, Sendable, Hashable {
        package var kind: String
        package var registration: String?
        package var make: String?
        package var model: String?
        package var colour: String?
        package var description: String?
        package var value: String?
        package var serialNumber: String?

        package init(
            kind: String, registration: String? = nil, make: String? = nil, model: String? = nil, colour: String? = nil,
            description: String? = nil, value: String? = nil, serialNumber: String? = nil
        ) {
            self.kind = kind
            self.registration = registration
            self.make = make
            self.model = model
            self.colour = colour
            self.description = description
            self.value = value
            self.serialNumber = serialNumber
        }
    }

    package struct Location: Codable, Sendable, Hashable {
        package var description: String?
        package var address: [String: String]?
        package var postcode: String?
        package var latitude: String?
        package var longitude: String?

        package init(
            description: String? = nil, address: [String: String]? = nil, postcode: String? = nil, latitude: String? = nil,
            longitude: String? = nil
        ) {
            self.description = description
            self.address = address
            self.postcode = postcode
            self.latitude = latitude
            self.longitude = longitude
        }
    }

    package struct Answer: Codable, Sendable, Hashable {
        package var id: String
        package var question: String
        package var answer: [String]
    }

    package struct Service: Codable, Sendable, Hashable {
        package var id: String
        package var version: Int
        package var title: String

        package init(id: String, version: Int, title: String) {
            self.id = id
            self.version = version
            self.title = title
        }
    }

    /// An evidence file of the report, with a signed link that works until `expiresAt`
    /// (``MediaLink``).
    package struct Media: Codable, Sendable, Hashable {
        /// The file's id in Peel, as in its link.
        package var id: String
        package var fileName: String
        /// As told from the file's first bytes when it was uploaded, never from its name.
        package var contentType: String
        package var size: Int
        /// Lower-case hex SHA-256 of the bytes, to check a download against.
        package var sha256: String
        /// The question the file answered: its id and its words.
        package var questionId: String
        package var question: String
        package var url: String
        package var expiresAt: Date

        package init(
            id: String, fileName: String, contentType: String, size: Int, sha256: String, questionId: String, question: String, url: String,
            expiresAt: Date
        ) {
            self.id = id
            self.fileName = fileName
            self.contentType = contentType
            self.size = size
            self.sha256 = sha256
            self.questionId = questionId
            self.question = question
            self.url = url
            self.expiresAt = expiresAt
        }
    }

    package var documentVersion = 1
    package var peelReference: String
    package var revision: Int
    package var force: String
    package var service: Service
    package var receivedAt: Date
    package var language: String
    package var persons: [Person]
    package var objects: [Object]
    package var locations: [Location]
    /// When it happened, as the person gave it: exact or between two points.
    package var when: [String: String]?
    /// The person's own account: every long-text answer, in order.
    package var statement: String
    package var answers: [Answer]
    package var riskAssessment: ThriveAssessment?
    package var duplicateCandidates: [String]
    /// The report's evidence files, with links that expire.
    package var media: [Media]

    package init(
        peelReference: String, revision: Int, force: String, service: Service, receivedAt: Date, language: String, persons: [Person],
        objects: [Object], locations: [Location], when: [String: String]?, statement: String, answers: [Answer],
        riskAssessment: ThriveAssessment?, duplicateCandidates: [String], media: [Media]
    ) {
        self.peelReference = peelReference
        self.revision = revision
        self.force = force
        self.service = service
        self.receivedAt = receivedAt
        self.language = language
        self.persons = persons
        self.objects = objects
        self.locations = locations
        self.when = when
        self.statement = statement
        self.answers = answers
        self.riskAssessment = riskAssessment
        self.duplicateCandidates = duplicateCandidates
        self.media = media
    }

    /// The idempotency key of this revision: the Peel reference and the revision.
    package var idempotencyKey: String { "\(peelReference):\(revision)" }

    /// The kinds of question whose answers the document reads into its people, objects, places,
    /// time and statement; the others are only in its labelled list of every answer.
    static let documented: Set<Question.Kind> = [.person, .vehicle, .item, .address, .location, .postcode, .when, .textarea]

    /// Builds the document from a stored report and its service definition.
    package static func make(
        report: Report, definition: ServiceDefinition?, risk: ThriveAssessment? = nil, revision: Int = 1
    ) -> RecordsDocument {
        let document = definition == nil ? nil : AnswerJSON.document(from: report.answers)
        return make(report: report, answers: document, definition: definition, risk: risk, revision: revision)
    }

    /// The document for `report` whose answers (`report.answers`) are already decoded as `document`.
    /// Without `labelledAnswers` its list of every answer, labelled and formatted for reading, is
    /// left empty: what the duplicate finder reads (people, objects, places, statement) is the same.
    package static func make(
        report: Report, answers document: ReportDocument?, definition: ServiceDefinition?, risk: ThriveAssessment? = nil,
        revision: Int = 1, labelledAnswers: Bool = true
    ) -> RecordsDocument {
        var persons: [Person] = []
        if report.contactName != nil || report.contactEmail != nil || report.contactPhone != nil {
            persons.append(
                Person(role: "reporter", name: report.contactName, email: report.contactEmail, phone: report.contactPhone))
        }
        var objects: [Object] = []
        var locations: [Location] = []
        var when: [String: String]?
        var statement: [String] = []
        var answers: [Answer] = []
        if let definition, let document {
            // Pages and questions are read in place, and without the labelled list only the
            // questions of the kinds read below are looked up: this runs for every report submitted.
            let pages = definition.pages
            for page in pages.indices {
                let pageID = pages[page].id
                let groups: [[String: PeelForms.Answer]] =
                    pages[page].kind == .repeat ? document.entries[pageID] ?? [] : [document.answers]
                let questions = pages[page].questions
                for index in questions.indices {
                    let type = questions[index].type
                    guard labelledAnswers || Self.documented.contains(type) else { continue }
                    let id = questions[index].id
                    for group in groups {
                        guard let answer = group[id] else { continue }
                        let fields = answer.fields
                        switch type {
                        case .person:
                            persons.append(
                                Person(
                                    role: role(of: "\(pageID) \(id)"), name: fields["name"], dateOfBirth: dateOfBirth(fields),
                                    ageRange: fields["age-range"], description: fields["description"]))
                        case .vehicle:
                            objects.append(
                                Object(
                                    kind: "vehicle", registration: fields["registration"], make: fields["make"], model: fields["model"],
                                    colour: fields["colour"]))
                        case .item:
                            objects.append(
                                Object(kind: "property", description: fields["description"], value: fields["value"], serialNumber: fields["serial"]))
                        case .address:
                            locations.append(Location(address: fields, postcode: fields["postcode"]))
                        case .location:
                            locations.append(
                                Location(description: fields["description"], latitude: fields["latitude"], longitude: fields["longitude"]))
                        case .postcode:
                            locations.append(Location(postcode: answer.text))
                        case .when:
                            when = fields
                        case .textarea:
                            if let text = answer.text { statement.append(text) }
                        default:
                            break
                        }
                        if labelledAnswers {
                            let question = questions[index]
                            answers.append(
                                Answer(
                                    id: id, question: question.label.en,
                                    answer: AnswerFormatter.display(answer, question: question, language: .english)))
                        }
                    }
                }
            }
        }
        return RecordsDocument(
            peelReference: report.reference, revision: revision, force: report.forceID.rawValue,
            service: Service(id: report.serviceID, version: report.serviceVersion, title: definition?.title.en ?? report.serviceID),
            receivedAt: report.createdAt, language: report.language.rawValue, persons: persons, objects: objects,
            locations: locations, when: when, statement: statement.joined(separator: "\n\n"), answers: answers,
            riskAssessment: risk, duplicateCandidates: [], media: [])
    }

    /// The entries for a report's files (``ReportRepository/files(report:force:)``), each linked
    /// under `publicURL` with a link signed with `key` that works until `expires`.
    package static func media(
        _ files: [JourneyFile], definition: ServiceDefinition?, publicURL: String, key: [UInt8], expires: Date
    ) -> [Media] {
        let seconds = Int64(expires.timeIntervalSince1970.rounded(.down))
        let questions = definition?.pages.flatMap(\.questions) ?? []
        return files.map { file in
            Media(
                id: file.id, fileName: file.fileName, contentType: file.contentType, size: file.size, sha256: file.sha256,
                questionId: file.questionID, question: questions.first { $0.id == file.questionID }?.label.en ?? file.questionID,
                url: MediaLink.url(base: publicURL, force: file.forceID, fileID: file.id, expires: seconds, key: key),
                expiresAt: Date(timeIntervalSince1970: Double(seconds)))
        }
    }

    /// A person's role from where they were asked about.
    package static func role(of context: String) -> String {
        for (needle, role) in [("suspect", "suspect"), ("offender", "suspect"), ("witness", "witness"), ("victim", "victim")]
        where context.contains(needle) {
            return role
        }
        return "other"
    }

    private static func dateOfBirth(_ fields: [String: String]) -> String? {
        guard let day = fields["dob-day"], let month = fields["dob-month"], let year = fields["dob-year"] else { return nil }
        return "\(year)-\(month.count == 1 ? "0" + month : month)-\(day.count == 1 ? "0" + day : day)"
    }

    /// The JSON sent: keys sorted, dates in ISO 8601, so that the same revision is the same bytes.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }
}
