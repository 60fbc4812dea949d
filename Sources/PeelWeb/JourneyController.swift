import Foundation
import HTTPTypes
import Hummingbird
import PeelCore
import PeelForms

/// The routes of an online service on a force's site: its start page, each page of the journey,
/// check your answers and the confirmation.
struct JourneyController {
    let service: JourneyService
    let pages: PageRenderer
    let secureCookies: Bool
    /// Counts wrong return codes per client; a client with none left may not try another.
    let resumeLimit: RateLimiter
    let trustForwardedFor: Bool

    func addRoutes(to group: RouterGroup<ForceRequestContext>) {
        group.get("/services") { request, context in
            let offered = try await service.offer.offered(by: context.force)
            guard !offered.isEmpty else { throw HTTPError(.notFound) }
            let layout = pages.layout(for: context, request: request)
            let heading = pages.catalogue.text("forceServicesHeading", context.language)
            let view = ServicesListView(
                layout: layout.titled(heading), heading: heading,
                items: offered.map {
                    .init(
                        title: $0.title.text(context.language), summary: $0.summary.text(context.language),
                        href: SiteURL.serviceStart(context.force.id, $0.definition.id).path)
                })
            return pages.response(view, template: "services")
        }
        group.get("/services/:service") { request, context in
            let offered = try await offeredService(context)
            let definition = offered.definition
            let heading = offered.title.text(context.language)
            let view = ServiceStartView(
                layout: pages.layout(for: context, request: request).titled(heading), heading: heading,
                summary: offered.summary.text(context.language),
                action: SiteURL.serviceStart(context.force.id, definition.id).path,
                quickExit: definition.sensitivity.quickExit,
                resumeHref: SiteURL.journeyResume(context.force.id, definition.id).path)
            return pages.response(view, template: "service-start")
        }
        group.get("/services/:service/save") { request, context in
            let journey = try await journey(request, context)
            return saveView(journey, request: request, context: context, email: "", errors: [], code: nil, emailed: nil)
        }
        group.post("/services/:service/save") { request, context in
            let journey = try await journey(request, context)
            if journey.stored.reportID != nil {
                return redirect(to: SiteURL.journeyConfirmation(context.force.id, journey.definition.id).path)
            }
            let form = try await context.formWithFiles(request).fields
            let email = (form["email"]?.first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !email.isEmpty, email.count > 254 || !Validate.email(email) {
                return saveView(
                    journey, request: request, context: context, email: email,
                    errors: [FieldError(field: "email", message: FormMessage.invalidEmail.text(context.language))], code: nil,
                    emailed: nil).with(status: .badRequest)
            }
            let code = try await service.saveForReturn(
                journey, force: context.force, email: email.isEmpty ? nil : email, language: context.language)
            let emailed = email.isEmpty ? nil : pages.catalogue.text("savedEmailed", context.language, ["email": email])
            return saveView(journey, request: request, context: context, email: email, errors: [], code: code, emailed: emailed)
        }
        group.get("/services/:service/resume") { request, context in
            let definition = try await definition(context)
            let code = request.uri.queryParameters["code"].map(String.init) ?? ""
            return resumeView(definition, request: request, context: context, code: code, errors: [])
        }
        group.post("/services/:service/resume") { request, context in
            let definition = try await definition(context)
            let typed = try await context.formWithFiles(request).fields["code"]?.first ?? ""
            // Codes cannot be guessed one after another: a client that has tried too many wrong
            // ones is refused before its next code is looked up, right or wrong.
            let client = request.clientAddress(peer: context.clientAddress, trustForwardedFor: trustForwardedFor)
            if resumeLimit.isExhausted(client) {
                return resumeView(
                    definition, request: request, context: context, code: typed,
                    errors: [FieldError(field: "code", message: pages.catalogue.text("resumeTooMany", context.language))]
                ).with(status: .tooManyRequests)
            }
            guard let code = ReturnCode.normalise(typed), let id = try await service.resume(code: code, service: definition, force: context.force)
            else {
                _ = resumeLimit.allow(client)
                return resumeView(
                    definition, request: request, context: context, code: typed,
                    errors: [FieldError(field: "code", message: pages.catalogue.text("resumeNotFound", context.language))]).with(status: .badRequest)
            }
            guard let loaded = try await service.load(id, service: definition, force: context.force) else { throw HTTPError(.notFound) }
            var response = redirectToPosition(loaded, context)
            response.setCookie(cookie(for: definition, force: context.force.id, value: id))
            return response
        }
        group.post("/services/:service") { _, context in
            let definition = try await definition(context)
            let id = try await service.start(definition, force: context.force)
            var response = redirect(to: SiteURL.journeyPage(context.force.id, definition.id, definition.start).path)
            response.setCookie(cookie(for: definition, force: context.force.id, value: id))
            return response
        }
        group.get("/services/:service/check-answers") { request, context in
            let journey = try await journey(request, context)
            guard journey.position == .checkAnswers else { return redirectToPosition(journey, context) }
            return checkAnswers(journey, request: request, context: context, declarationError: nil)
        }
        group.post("/services/:service/check-answers") { request, context in
            let journey = try await journey(request, context)
            if let reportID = journey.stored.reportID, !reportID.isEmpty {
                return redirect(to: SiteURL.journeyConfirmation(context.force.id, journey.definition.id).path)
            }
            guard journey.position == .checkAnswers else { return redirectToPosition(journey, context) }
            var loaded = journey
            if journey.definition.declaration != nil {
                let form = try await context.formWithFiles(request).fields
                guard form["declaration"]?.first == "agreed" else {
                    return checkAnswers(
                        journey, request: request, context: context,
                        declarationError: FormMessage.declarationRequired.text(context.language)).with(status: .badRequest)
                }
                loaded.declare()
            }
            _ = try await service.submit(loaded, force: context.force, language: context.language)
            return redirect(to: SiteURL.journeyConfirmation(context.force.id, journey.definition.id).path)
        }
        group.get("/services/:service/confirmation") { request, context in
            let definition = try await definition(context)
            guard let loaded = try await service.load(journeyID(request, definition), service: definition, force: context.force),
                let reportID = loaded.stored.reportID,
                let report = try await service.reports.find(reportID, force: context.force.id)
            else { throw HTTPError(.notFound) }
            let heading = pages.catalogue.text("journeySentTitle", context.language)
            let view = ConfirmationView(
                layout: pages.layout(for: context, request: request).titled(heading), heading: heading,
                reference: report.reference,
                whatNext: paragraphs(definition.confirmation.text(context.language)),
                quickExit: definition.sensitivity.quickExit, homeHref: SiteURL.forceHome(context.force.id).path,
                myPoliceHref: report.contactEmail == nil ? nil : PortalURL.signIn(context.force.id).path)
            return pages.response(view, template: "confirmation")
        }
        group.get("/services/:service/:page") { request, context in
            let journey = try await journey(request, context)
            guard let page = try pageOnPath(journey, context) else { return redirectToPosition(journey, context) }
            return render(page, journey: journey, request: request, context: context, form: nil, errors: [])
        }
        group.post("/services/:service/:page") { request, context in
            var journey = try await journey(request, context)
            if journey.stored.reportID != nil {
                return redirect(to: SiteURL.journeyConfirmation(context.force.id, journey.definition.id).path)
            }
            // A page the answers no longer lead to (an earlier answer changed, or a tampered
            // address) is not accepted: the person is sent to where the journey stands.
            guard let page = try pageOnPath(journey, context) else { return redirectToPosition(journey, context) }
            let posted = try await context.formWithFiles(request)
            var form = posted.fields
            let uploads = posted.files
            // File questions: what was uploaded before stays; new files are checked and kept.
            var fileErrors: [FieldError] = []
            var accepted: [JourneyFile] = []
            for question in page.questions where question.type == .file {
                let earlier = journey.state.answers[question.id]?.fields["files"]?.split(separator: "\n").map(String.init) ?? []
                let new = uploads.filter { $0.field == question.id && !$0.data.isEmpty }
                if earlier.count + new.count > EvidenceFile.maxPerQuestion {
                    fileErrors.append(
                        FieldError(field: question.id, message: FormMessage.tooManyFiles.text(context.language, ["max": String(EvidenceFile.maxPerQuestion)])))
                    continue
                }
                for file in new {
                    let name = String(file.fileName.split(separator: "/").last ?? "file").prefix(120)
                    guard file.data.count <= EvidenceFile.maxSize else {
                        fileErrors.append(FieldError(field: question.id, message: FormMessage.fileTooLarge.text(context.language, ["name": String(name)])))
                        continue
                    }
                    guard let kind = EvidenceFile.kind(of: file.data) else {
                        fileErrors.append(FieldError(field: question.id, message: FormMessage.fileType.text(context.language, ["name": String(name)])))
                        continue
                    }
                    accepted.append(
                        JourneyFile(
                            id: RecordID.make(), forceID: context.force.id, journeyID: journey.stored.id,
                            questionID: question.id, fileName: String(name), contentType: kind, size: file.data.count,
                            content: file.data))
                }
                form[question.id] = earlier + accepted.filter { $0.questionID == question.id }.map(\.fileName)
            }
            if !fileErrors.isEmpty {
                return render(page, journey: journey, request: request, context: context, form: form, errors: fileErrors).with(status: .badRequest)
            }
            switch page.kind {
            case .content:
                journey.state.completed.insert(page.id)
            case .stop:
                return redirectToPosition(journey, context)
            case .question:
                switch journey.engine.read(page, form: form, language: context.language) {
                case .failure(let errors):
                    return render(page, journey: journey, request: request, context: context, form: form, errors: errors).with(status: .badRequest)
                case .success(let answers):
                    for file in accepted { try await service.journeys.addFile(file) }
                    journey.accept(answers, on: page)
                }
            case .repeat:
                switch RepeatAction(form) {
                case .add:
                    switch journey.engine.read(page, form: form, language: context.language) {
                    case .failure(let errors):
                        return render(
                            page, journey: journey, request: request, context: context, form: form, errors: errors, entryForm: true).with(status: .badRequest)
                    case .success(let answers):
                        var entries = journey.state.entries[page.id] ?? []
                        if let index = form["index"]?.first.flatMap(Int.init), entries.indices.contains(index) {
                            entries[index] = answers  // a change to an entry already added
                        } else if entries.count < (page.max ?? 1) {
                            entries.append(answers)
                        }
                        journey.state.entries[page.id] = entries
                        journey.state.completed.remove(page.id)
                    }
                case .remove(let index):
                    var entries = journey.state.entries[page.id] ?? []
                    if entries.indices.contains(index) { entries.remove(at: index) }
                    journey.state.entries[page.id] = entries
                    journey.state.completed.remove(page.id)
                case .more(let wanted):
                    let count = journey.state.entries[page.id]?.count ?? 0
                    if wanted == nil {
                        let message = FormMessage.requiredChoice.text(
                            context.language, ["label": page.addAnother?.text(context.language) ?? ""])
                        return render(
                            page, journey: journey, request: request, context: context, form: form,
                            errors: [FieldError(field: "add-another", message: message)]).with(status: .badRequest)
                    }
                    if wanted == true, count < (page.max ?? 1) {
                        try await service.save(journey)
                        return redirect(to: SiteURL.journeyPage(context.force.id, journey.definition.id, page.id).path + "?entry=new")
                    }
                    if count < (page.min ?? 0) {
                        let message = FormMessage.tooFewEntries.text(context.language, ["min": String(page.min ?? 0)])
                        return render(
                            page, journey: journey, request: request, context: context, form: form,
                            errors: [FieldError(field: "add-another", message: message)]).with(status: .badRequest)
                    }
                    journey.state.completed.insert(page.id)
                case .invalid:
                    throw HTTPError(.badRequest)
                }
                journey.prune()
            }
            try await service.save(journey)
            if page.kind == .repeat, !journey.state.completed.contains(page.id) {
                return redirect(to: SiteURL.journeyPage(context.force.id, journey.definition.id, page.id).path)
            }
            return redirectToPosition(journey, context)
        }
    }

    // MARK: Helpers

    private func offeredService(_ context: ForceRequestContext) async throws -> OfferedService {
        guard let id = context.parameters.get("service"), let offered = try await service.service(id, for: context.force) else {
            throw HTTPError(.notFound)
        }
        return offered
    }

    private func definition(_ context: ForceRequestContext) async throws -> ServiceDefinition {
        try await offeredService(context).definition
    }

    private func journeyID(_ request: Request, _ definition: ServiceDefinition) -> String? {
        request.cookie(Self.cookieName(definition.id))
    }

    /// The person's journey for this service, or to the service's start page when there is none
    /// (never started, expired, or another browser).
    private func journey(_ request: Request, _ context: ForceRequestContext) async throws -> JourneyService.Loaded {
        let definition = try await definition(context)
        guard let loaded = try await service.load(journeyID(request, definition), service: definition, force: context.force)
        else { throw JourneyMissing(start: SiteURL.serviceStart(context.force.id, definition.id).path) }
        return loaded
    }

    private func pageOnPath(_ journey: JourneyService.Loaded, _ context: ForceRequestContext) throws -> Page? {
        guard let id = context.parameters.get("page"), let page = journey.engine.page(id) else { throw HTTPError(.notFound) }
        return journey.shows(id) ? page : nil
    }

    private func redirectToPosition(_ journey: JourneyService.Loaded, _ context: ForceRequestContext) -> Response {
        let force = context.force.id
        let service = journey.definition.id
        if journey.stored.reportID != nil { return redirect(to: SiteURL.journeyConfirmation(force, service).path) }
        switch journey.position {
        case .page(let page), .ended(let page): return redirect(to: SiteURL.journeyPage(force, service, page).path)
        case .checkAnswers: return redirect(to: SiteURL.journeyCheckAnswers(force, service).path)
        }
    }

    static func cookieName(_ service: String) -> String { "peel_j_\(service)" }

    private func cookie(for definition: ServiceDefinition, force: ForceID, value: String) -> Cookie {
        Cookie(
            name: Self.cookieName(definition.id), value: value, maxAge: Int(JourneyService.lifetime),
            path: SiteURL.serviceStart(force, definition.id).path, secure: secureCookies, httpOnly: true, sameSite: .lax)
    }


    private func render(
        _ page: Page, journey: JourneyService.Loaded, request: Request, context: ForceRequestContext,
        form: [String: [String]]?, errors: [FieldError], entryForm: Bool? = nil
    ) -> Response {
        let language = context.language
        let t = pages.catalogue.table(for: language)
        let entries = journey.state.entries[page.id] ?? []
        // The entry being changed: `?entry=N` on the page, or the index posted with a form that had errors.
        let editIndex = (request.uri.queryParameters["entry"].flatMap { Int(String($0)) } ?? form?["index"]?.first.flatMap(Int.init))
            .flatMap { entries.indices.contains($0) ? $0 : nil }
        let showEntryForm =
            entryForm
            ?? (page.kind == .repeat
                && (request.uri.queryParameters["entry"] == "new" || editIndex != nil || (entries.isEmpty && (page.min ?? 0) > 0)))
        let isRepeatSummary = page.kind == .repeat && !showEntryForm
        let questions =
            isRepeatSummary
            ? []
            : page.questions.map { question in
                QuestionView(
                    question: question,
                    answer: page.kind == .repeat ? editIndex.flatMap { entries[$0][question.id] } : journey.state.answers[question.id],
                    form: form,
                    errors: errors, isHeading: page.questions.count == 1 && page.title == nil && page.kind == .question,
                    language: language, t: t)
            }
        let heading = (page.heading ?? page.itemLabel)?.text(language) ?? journey.definition.title.text(language)
        let path = journey.route.path
        let back = path.firstIndex(of: page.id).flatMap { $0 > 0 ? path[$0 - 1] : nil }
        let link = page.link.map { link -> (String, String) in
            let href = link.href ?? link.service.map { SiteURL.serviceStart(context.force.id, $0).path } ?? "#"
            return (href, link.text.text(language))
        }
        let itemLabel = page.itemLabel?.text(language) ?? ""
        let view = JourneyPageView(
            layout: pages.layout(for: context, request: request).titled(errors.isEmpty ? heading : "\(t["errorPrefix"] ?? "Error"): \(heading)"),
            serviceTitle: journey.definition.title.text(language), heading: heading,
            headingIsLabel: page.questions.count == 1 && page.title == nil && page.kind == .question,
            body: paragraphs(page.body?.text(language) ?? ""), linkHref: link?.0, linkText: link?.1,
            questions: questions,
            errors: errors.map { .init(href: "#\($0.field)", message: $0.message) }, hasErrors: !errors.isEmpty,
            action: SiteURL.journeyPage(context.force.id, journey.definition.id, page.id).path,
            backHref: back.map { SiteURL.journeyPage(context.force.id, journey.definition.id, $0).path },
            isQuestion: page.kind == .question || (page.kind == .repeat && showEntryForm),
            isStop: page.kind == .stop || (page.kind == .content && page.next.isEmpty),
            canContinue: page.kind == .content && !page.next.isEmpty,
            quickExit: journey.definition.sensitivity.quickExit,
            isRepeatSummary: isRepeatSummary,
            entries: entries.enumerated().map { index, entry in
                .init(
                    index: index,
                    changeHref: SiteURL.journeyPage(context.force.id, journey.definition.id, page.id).path + "?entry=\(index)",
                    summary: "\(itemLabel) \(index + 1): "
                        + page.questions.flatMap { AnswerFormatter.display(entry[$0.id], question: $0, language: language) }
                        .joined(separator: ", "))
            },
            addAnother: page.addAnother?.text(language),
            addAnotherYes: language == .welsh ? "Ydw" : "Yes", addAnotherNo: language == .welsh ? "Nac ydw" : "No",
            isRepeatEntry: page.kind == .repeat && showEntryForm,
            hasFile: page.questions.contains { $0.type == .file },
            editIndex: editIndex.map(String.init),
            saveHref: SiteURL.journeySave(context.force.id, journey.definition.id).path)
        return pages.response(view, template: "journey-page")
    }

    private func saveView(
        _ journey: JourneyService.Loaded, request: Request, context: ForceRequestContext, email: String,
        errors: [FieldError], code: String?, emailed: String?
    ) -> Response {
        let title = pages.catalogue.text(code == nil ? "saveTitle" : "savedTitle", context.language)
        let position: String =
            switch journey.position {
            case .page(let page), .ended(let page): SiteURL.journeyPage(context.force.id, journey.definition.id, page).path
            case .checkAnswers: SiteURL.journeyCheckAnswers(context.force.id, journey.definition.id).path
            }
        let view = SaveView(
            layout: pages.layout(for: context, request: request).titled(errors.isEmpty ? title : "\(pages.catalogue.text("errorPrefix", context.language)): \(title)"),
            action: SiteURL.journeySave(context.force.id, journey.definition.id).path, backHref: position,
            email: email,
            errors: errors.map { .init(href: "#\($0.field)", message: $0.message) }, hasErrors: !errors.isEmpty,
            saved: code != nil, code: code ?? "", emailed: emailed,
            resumeHref: SiteURL.journeyResume(context.force.id, journey.definition.id).path,
            quickExit: journey.definition.sensitivity.quickExit)
        return pages.response(view, template: "save")
    }

    /// The resume page, showing back the first 20 characters of the code typed (a code is 11).
    private func resumeView(
        _ definition: ServiceDefinition, request: Request, context: ForceRequestContext, code: String, errors: [FieldError]
    ) -> Response {
        let title = pages.catalogue.text("resumeTitle", context.language)
        let view = ResumeView(
            layout: pages.layout(for: context, request: request).titled(errors.isEmpty ? title : "\(pages.catalogue.text("errorPrefix", context.language)): \(title)"),
            action: SiteURL.journeyResume(context.force.id, definition.id).path, code: String(code.prefix(20)),
            errors: errors.map { .init(href: "#\($0.field)", message: $0.message) }, hasErrors: !errors.isEmpty,
            quickExit: definition.sensitivity.quickExit)
        return pages.response(view, template: "resume")
    }

    private func checkAnswers(
        _ journey: JourneyService.Loaded, request: Request, context: ForceRequestContext, declarationError: String?
    ) -> Response {
        let language = context.language
        let heading = pages.catalogue.text("checkAnswersTitle", language)
        let change = pages.catalogue.text("change", language)
        let view = CheckAnswersView(
            layout: pages.layout(for: context, request: request).titled(heading), heading: heading,
            sections: journey.engine.summary(journey.state, language: language).map { section in
                .init(
                    title: section.title,
                    rows: section.rows.map {
                        .init(
                            question: $0.question, answer: $0.answer,
                            changeHref: SiteURL.journeyPage(context.force.id, journey.definition.id, $0.page).path,
                            changeLabel: change)
                    })
            },
            declaration: journey.definition.declaration?.text(language), declarationError: declarationError,
            hasErrors: declarationError != nil,
            action: SiteURL.journeyCheckAnswers(context.force.id, journey.definition.id).path,
            quickExit: journey.definition.sensitivity.quickExit)
        return pages.response(view, template: "check-answers")
    }

    private func paragraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}

func redirect(to path: String) -> Response {
    Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
}

/// No journey for this service in this browser: back to the service's start page.
struct JourneyMissing: Error {
    let start: String
}

/// What a post to a repeating group asks for.
enum RepeatAction {
    case add
    case remove(Int)
    case more(Bool?)
    case invalid

    init(_ form: [String: [String]]) {
        switch form["action"]?.first {
        case "add": self = .add
        case "remove": self = form["index"]?.first.flatMap(Int.init).map { .remove($0) } ?? .invalid
        case "more":
            switch form["add-another"]?.first {
            case "yes": self = .more(true)
            case "no": self = .more(false)
            default: self = .more(nil)
            }
        default: self = .invalid
        }
    }
}
