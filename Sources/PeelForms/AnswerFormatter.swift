import Foundation
import PeelCore

/// Answers as people read them: option labels not values, dates written out, parts on lines.
package enum AnswerFormatter {
    package static func display(_ answer: Answer?, question: Question, language: Language) -> [String] {
        guard let answer else { return [language == .welsh ? "Heb ateb" : "Not answered"] }
        func option(_ value: String) -> String {
            if question.type == .yesNo { return value == "yes" ? (language == .welsh ? "Ydw" : "Yes") : (language == .welsh ? "Nac ydw" : "No") }
            return question.options?.first { $0.value == value }?.label.text(language) ?? value
        }
        switch question.type {
        case .radios, .yesNo, .checkboxes:
            return answer.list.map(option)
        case .date:
            return [date(answer.text ?? "", language)]
        case .money:
            return ["£" + (answer.text ?? "")]
        case .when:
            let fields = answer.fields
            if fields["mode"] == "between" {
                let from = [date(fields["from-date"] ?? "", language), fields["from-time"]].compactMap { $0 }.joined(separator: " ")
                let to = [date(fields["to-date"] ?? "", language), fields["to-time"]].compactMap { $0 }.joined(separator: " ")
                return [language == .welsh ? "Rhwng \(from) a \(to)" : "Between \(from) and \(to)"]
            }
            return [[date(fields["date"] ?? "", language), fields["time"]].compactMap { $0 }.joined(separator: " ")]
        case .address:
            return ["line1", "line2", "town", "postcode"].compactMap { answer.fields[$0] }
        case .location:
            let fields = answer.fields
            var lines = [fields["description"] ?? ""]
            if let lat = fields["latitude"], let lon = fields["longitude"] { lines.append("\(lat), \(lon)") }
            return lines
        case .person:
            let fields = answer.fields
            return [
                fields["name"], fields["date-of-birth"].map { date($0, language) },
                fields["age-range"].map { ageRange($0, language) }, fields["description"],
            ].compactMap { $0 }
        case .vehicle:
            return [["registration", "colour", "make", "model"].compactMap { answer.fields[$0] }.joined(separator: " ")]
        case .item:
            let fields = answer.fields
            return [fields["description"], fields["value"].map { "£\($0)" }, fields["serial"]].compactMap { $0 }
        case .file:
            return (answer.fields["files"] ?? "").split(separator: "\n").map(String.init)
        default:
            return (answer.text ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static let englishMonths = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
    static let welshMonths = [
        "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd",
        "Rhagfyr",
    ]

    /// `2026-11-23` as "23 November 2026" or "23 Tachwedd 2026".
    package static func date(_ text: String, _ language: Language) -> String {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return text }
        let months = language == .welsh ? welshMonths : englishMonths
        return "\(parts[2]) \(months[parts[1] - 1]) \(parts[0])"
    }

    static func ageRange(_ value: String, _ language: Language) -> String {
        switch value {
        case "under-18": language == .welsh ? "O dan 18" : "Under 18"
        case "65-plus": language == .welsh ? "65 neu hŷn" : "65 or over"
        default: value.replacingOccurrences(of: "-", with: " to ")
        }
    }
}
