import Foundation
import PeelCore
import Synchronization

/// Reads and checks the form fields of one question. Field names: the question id for a single
/// value, `id-part` for each part of a compound question (`id-day`, `id-town`, …).
struct AnswerReader {
    let question: Question
    let today: String
    let language: Language

    private var label: String { question.label.text(language) }

    private func error(_ message: FormMessage, field: String? = nil, _ values: [String: String] = [:]) -> FieldError {
        var values = values
        values["label"] = values["label"] ?? label
        return FieldError(field: field ?? question.id, message: message.text(language, values))
    }

    /// `nil` on success means an optional question left blank.
    func read(_ form: [String: [String]]) -> Checked<Answer?> {
        func value(_ name: String) -> String { Clean.text(form[name]?.first ?? "") }
        func part(_ name: String) -> String { value("\(question.id)-\(name)") }
        let id = question.id
        switch question.type {
        case .text, .textarea:
            let text = question.type == .text ? Clean.line(value(id)) : value(id)
            if text.isEmpty { return blank(.requiredText) }
            if text.count > question.effectiveMaxLength {
                return .failure([error(.tooLong, ["max": String(question.effectiveMaxLength)])])
            }
            return .success(.text(text))
        case .radios, .yesNo:
            let chosen = value(id)
            if chosen.isEmpty { return blank(.requiredChoice) }
            let allowed = question.type == .yesNo ? ["yes", "no"] : (question.options ?? []).map(\.value)
            guard allowed.contains(chosen) else { return .failure([error(.invalidOption)]) }
            return .success(.text(chosen))
        case .checkboxes:
            let chosen = (form[id] ?? []).map(Clean.line).filter { !$0.isEmpty }
            if chosen.isEmpty { return blank(.requiredCheckboxes) }
            let allowed = Set((question.options ?? []).map(\.value))
            guard chosen.allSatisfy(allowed.contains) else { return .failure([error(.invalidOption)]) }
            return .success(.list(Array(NSOrderedSet(array: chosen)) as? [String] ?? chosen))
        case .date:
            let parts = (part("day"), part("month"), part("year"))
            if parts.0.isEmpty && parts.1.isEmpty && parts.2.isEmpty { return blank(.requiredText, field: "\(id)-day") }
            switch date(parts, field: "\(id)-day") {
            case .success(let date): return .success(.text(date))
            case .failure(let problem): return .failure([problem])
            }
        case .time:
            let text = Clean.line(value(id))
            if text.isEmpty { return blank(.requiredText) }
            guard let time = DateText.time(text) else { return .failure([error(.invalidTime)]) }
            return .success(.text(time))
        case .when:
            return readWhen(part)
        case .number:
            let text = Clean.line(value(id)).replacingOccurrences(of: ",", with: "")
            if text.isEmpty { return blank(.requiredText) }
            guard let number = Int(text) else { return .failure([error(.invalidNumber)]) }
            if let problem = range(Double(number)) { return .failure([problem]) }
            return .success(.text(String(number)))
        case .money:
            var text = Clean.line(value(id)).replacingOccurrences(of: ",", with: "")
            if text.hasPrefix("£") { text.removeFirst() }
            if text.isEmpty { return blank(.requiredText) }
            guard let pence = Money.pence(text) else { return .failure([error(.invalidMoney)]) }
            if let problem = range(Double(pence) / 100) { return .failure([problem]) }
            return .success(.text(Money.format(pence)))
        case .email:
            let text = Clean.line(value(id))
            if text.isEmpty { return blank(.requiredText) }
            guard text.count <= 254, Validate.email(text) else { return .failure([error(.invalidEmail)]) }
            return .success(.text(text))
        case .phone:
            let text = Clean.line(value(id))
            if text.isEmpty { return blank(.requiredText) }
            guard let phone = Validate.ukPhone(text) else { return .failure([error(.invalidPhone)]) }
            return .success(.text(phone))
        case .postcode:
            let text = Clean.line(value(id))
            if text.isEmpty { return blank(.requiredText) }
            guard let postcode = Validate.postcode(text) else { return .failure([error(.invalidPostcode)]) }
            return .success(.text(postcode))
        case .address:
            return compound(part, required: ["line1", "town", "postcode"], optional: ["line2"]) { fields in
                guard let postcode = Validate.postcode(fields["postcode"] ?? "") else {
                    return .failure(error(.invalidPostcode, field: "\(id)-postcode"))
                }
                var fields = fields
                fields["postcode"] = postcode
                return .success(fields)
            }
        case .location:
            return compound(part, required: ["description"], optional: ["latitude", "longitude"]) { fields in
                let latitude = fields["latitude"] ?? ""
                let longitude = fields["longitude"] ?? ""
                if latitude.isEmpty && longitude.isEmpty { return .success(fields) }
                guard let lat = Double(latitude), let lon = Double(longitude), (-90...90).contains(lat), (-180...180).contains(lon)
                else { return .failure(error(.invalidCoordinates, field: "\(id)-latitude")) }
                return .success(fields)
            }
        case .person:
            return compound(part, required: [], optional: ["name", "dob-day", "dob-month", "dob-year", "age-range", "description"]) {
                fields in
                var fields = fields
                let dob = (fields["dob-day"] ?? "", fields["dob-month"] ?? "", fields["dob-year"] ?? "")
                fields["dob-day"] = nil
                fields["dob-month"] = nil
                fields["dob-year"] = nil
                if !(dob.0.isEmpty && dob.1.isEmpty && dob.2.isEmpty) {
                    switch date(dob, field: "\(id)-dob-day", notInFuture: true) {
                    case .success(let date): fields["date-of-birth"] = date
                    case .failure(let problem): return .failure(problem)
                    }
                }
                if let range = fields["age-range"], !AgeRange.values.contains(range) {
                    return .failure(error(.invalidOption, field: "\(id)-age-range"))
                }
                if fields.isEmpty, question.required {
                    return .failure(error(.requiredPart, field: "\(id)-name", ["part": PartName.text("name", language)]))
                }
                return .success(fields)
            }
        case .vehicle:
            return compound(part, required: [], optional: ["registration", "make", "model", "colour"]) { fields in
                var fields = fields
                if let registration = fields["registration"] {
                    let normalised = registration.uppercased()
                    guard normalised.count <= 10, normalised.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " ") })
                    else { return .failure(error(.invalidRegistration, field: "\(id)-registration")) }
                    fields["registration"] = normalised
                }
                if fields.isEmpty, question.required {
                    return .failure(
                        error(.requiredPart, field: "\(id)-registration", ["part": PartName.text("registration", language)]))
                }
                return .success(fields)
            }
        case .item:
            return compound(part, required: ["description"], optional: ["value", "serial"]) { fields in
                var fields = fields
                if var value = fields["value"] {
                    if value.hasPrefix("£") { value.removeFirst() }
                    guard let pence = Money.pence(value.replacingOccurrences(of: ",", with: "")) else {
                        return .failure(error(.invalidMoney, field: "\(id)-value"))
                    }
                    fields["value"] = Money.format(pence)
                }
                return .success(fields)
            }
        case .file:
            // Files arrive with the upload storage; until then a file question records the
            // names of what the person says they have, and is never required.
            let names = (form[id] ?? []).map(Clean.line).filter { !$0.isEmpty }
            return .success(names.isEmpty ? nil : .fields(["files": names.joined(separator: "\n")]))
        }
    }

    private func blank(_ message: FormMessage, field: String? = nil) -> Checked<Answer?> {
        question.required ? .failure([error(message, field: field)]) : .success(nil)
    }

    private func range(_ value: Double) -> FieldError? {
        if let min = question.min, value < min { return error(.outOfRange, ["min": Number.text(min), "max": Number.text(question.max)]) }
        if let max = question.max, value > max { return error(.outOfRange, ["min": Number.text(question.min), "max": Number.text(max)]) }
        return nil
    }

    private func date(
        _ parts: (String, String, String), field: String, notInFuture: Bool? = nil
    ) -> Result<String, FieldError> {
        guard let date = DateText.make(day: parts.0, month: parts.1, year: parts.2) else {
            return .failure(error(.invalidDate, field: field))
        }
        if notInFuture ?? question.notInFuture, date > today { return .failure(error(.futureDate, field: field)) }
        return .success(date)
    }

    private func readWhen(_ part: (String) -> String) -> Checked<Answer?> {
        let id = question.id
        let mode = part("mode")
        if mode.isEmpty {
            return question.required ? .failure([error(.requiredChoice, field: "\(id)-mode")]) : .success(nil)
        }
        switch mode {
        case "exact":
            switch date((part("day"), part("month"), part("year")), field: "\(id)-day") {
            case .failure(let problem): return .failure([problem])
            case .success(let day):
                var fields = ["mode": "exact", "date": day]
                let time = part("time")
                if !time.isEmpty {
                    guard let parsed = DateText.time(time) else { return .failure([error(.invalidTime, field: "\(id)-time")]) }
                    fields["time"] = parsed
                }
                return .success(.fields(fields))
            }
        case "between":
            var problems: [FieldError] = []
            var fields = ["mode": "between"]
            for end in ["from", "to"] {
                switch date((part("\(end)-day"), part("\(end)-month"), part("\(end)-year")), field: "\(id)-\(end)-day") {
                case .failure(let problem): problems.append(problem)
                case .success(let day): fields["\(end)-date"] = day
                }
                let time = part("\(end)-time")
                if !time.isEmpty {
                    if let parsed = DateText.time(time) {
                        fields["\(end)-time"] = parsed
                    } else {
                        problems.append(error(.invalidTime, field: "\(id)-\(end)-time"))
                    }
                }
            }
            if problems.isEmpty {
                let start = (fields["from-date"] ?? "") + (fields["from-time"] ?? "00:00")
                let end = (fields["to-date"] ?? "") + (fields["to-time"] ?? "23:59")
                if end < start { problems.append(error(.endBeforeStart, field: "\(id)-to-day")) }
            }
            return problems.isEmpty ? .success(.fields(fields)) : .failure(problems)
        default:
            return .failure([error(.invalidOption, field: "\(id)-mode")])
        }
    }

    private func compound(
        _ part: (String) -> String, required: [String], optional: [String],
        check: ([String: String]) -> Result<[String: String], FieldError>
    ) -> Checked<Answer?> {
        var fields: [String: String] = [:]
        var tooLong: [FieldError] = []
        for name in required + optional {
            let value = name == "description" ? part(name) : Clean.line(part(name))
            let limit = name == "description" ? 2000 : 200
            if value.count > limit {
                tooLong.append(error(.tooLong, field: "\(question.id)-\(name)", ["max": String(limit)]))
            }
            if !value.isEmpty { fields[name] = value }
        }
        if !tooLong.isEmpty { return .failure(tooLong) }
        if fields.isEmpty, !question.required { return .success(nil) }
        let missing = required.filter { fields[$0] == nil }
        if !missing.isEmpty {
            return .failure(
                missing.map { error(.requiredPart, field: "\(question.id)-\($0)", ["part": PartName.text($0, language)]) })
        }
        switch check(fields) {
        case .success(let fields): return .success(.fields(fields))
        case .failure(let problem): return .failure([problem])
        }
    }
}

/// The age ranges a person question offers when the date of birth is not known.
package enum AgeRange {
    package static let values = ["under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-plus"]
}

/// Cleaning of typed text: control characters other than new lines and tabs are removed, new
/// lines are normalised, and the ends are trimmed. HTML is kept as typed; pages escape it.
package enum Clean {
    package static func text(_ raw: String) -> String {
        let normalised = raw.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let scalars = normalised.unicodeScalars.filter { scalar in
            scalar == "\n" || scalar == "\t" || !(scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format && scalar != "\u{200D}")
        }
        return String(String.UnicodeScalarView(scalars)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One line: new lines and tabs become spaces.
    package static func line(_ raw: String) -> String {
        text(raw).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
    }
}

package enum Validate {
    package static func email(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, !text.contains(" ") else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// A UK number, as +44 or 0 followed by 9 or 10 digits; returned as typed digits with spaces.
    static func ukPhone(_ text: String) -> String? {
        let digits = text.filter { !" -().".contains($0) }
        var national: Substring
        if digits.hasPrefix("+44") {
            national = "0" + digits.dropFirst(3)
        } else if digits.hasPrefix("0044") {
            national = "0" + digits.dropFirst(4)
        } else {
            national = Substring(digits)
        }
        if national.hasPrefix("00") { return nil }
        guard national.hasPrefix("0"), (10...11).contains(national.count), national.allSatisfy(\.isNumber) else { return nil }
        return String(national)
    }

    /// A UK mobile number (07 and nine more digits, or the same after +44), as eleven digits:
    /// what text messages can be sent to.
    package static func ukMobile(_ text: String) -> String? {
        guard let number = ukPhone(text), number.count == 11, number.hasPrefix("07") else { return nil }
        return number
    }

    /// A full UK postcode, normalised to upper case with one space.
    static func postcode(_ text: String) -> String? {
        let compact = text.uppercased().filter { $0 != " " }
        guard (5...7).contains(compact.count), compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return nil
        }
        let inward = compact.suffix(3)
        let outward = compact.dropLast(3)
        guard inward.first?.isNumber == true, inward.dropFirst().allSatisfy(\.isLetter),
            outward.first?.isLetter == true, outward.contains(where: \.isNumber)
        else { return nil }
        return "\(outward) \(inward)"
    }
}

enum Money {
    /// Pence from `25`, `25.5` or `25.50`; `nil` when not an amount or over £10 million.
    static func pence(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let pounds = Int(parts[0]), pounds >= 0, pounds <= 10_000_000 else { return nil }
        var pence = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), parts[1].allSatisfy(\.isNumber), let value = Int(parts[1]) else { return nil }
            pence = parts[1].count == 1 ? value * 10 : value
        }
        return pounds * 100 + pence
    }

    static func format(_ pence: Int) -> String {
        "\(pence / 100).\(String(format: "%02d", pence % 100))"
    }
}

enum Number {
    static func text(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Calendar dates as `YYYY-MM-DD` text, in the UK's time zone.
package enum DateText {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        return calendar
    }()

    /// Today in the UK. Every page asks, so the answer is kept for the minute it was worked out
    /// in: UK days begin on a whole minute, so it is exact.
    package static func today(_ now: Date = Date()) -> String {
        let minute = Int((now.timeIntervalSince1970 / 60).rounded(.down))
        if let kept = todayKept.withLock({ $0 }), kept.minute == minute { return kept.text }
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let text = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        todayKept.withLock { $0 = (minute, text) }
        return text
    }

    private static let todayKept = Mutex<(minute: Int, text: String)?>(nil)

    /// The start of a `YYYY-MM-DD` day in the UK, or nil when the text is not a real date.
    package static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            make(day: String(parts[2]), month: String(parts[1]), year: String(parts[0])) == text
        else { return nil }
        var components = DateComponents()
        components.year = Int(parts[0])
        components.month = Int(parts[1])
        components.day = Int(parts[2])
        return calendar.date(from: components)
    }

    static func make(day: String, month: String, year: String) -> String? {
        guard let d = Int(day), let m = Int(month), let y = Int(year), (1900...2200).contains(y), (1...12).contains(m),
            (1...31).contains(d)
        else { return nil }
        var parts = DateComponents()
        parts.year = y
        parts.month = m
        parts.day = d
        guard let date = calendar.date(from: parts), calendar.component(.day, from: date) == d else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-").map(String.init)
        return parts.count == 3 && make(day: parts[2], month: parts[1], year: parts[0]) == text
    }

    static func adding(_ days: Int, to text: String) -> String? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var components = DateComponents()
        components.year = parts[0]
        components.month = parts[1]
        components.day = parts[2]
        guard let date = calendar.date(from: components), let moved = calendar.date(byAdding: .day, value: days, to: date) else {
            return nil
        }
        return today(moved)
    }

    /// `HH:MM` from `14:30`, `1430`, `9.05` or `9:05`.
    static func time(_ text: String) -> String? {
        let digits = text.replacingOccurrences(of: ".", with: ":")
        let parts = digits.contains(":") ? digits.split(separator: ":").map(String.init)
            : digits.count == 4 ? [String(digits.prefix(2)), String(digits.suffix(2))] : []
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return String(format: "%02d:%02d", hour, minute)
    }
}
