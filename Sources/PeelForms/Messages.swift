import Foundation
import PeelCore

/// The messages the engine gives about answers, in English and Welsh.
package enum FormMessage: String, Sendable, CaseIterable {
    case requiredText, requiredChoice, requiredCheckboxes, tooLong, invalidEmail, invalidPhone, invalidPostcode
    case invalidDate, futureDate, invalidTime, invalidNumber, outOfRange, invalidMoney, invalidOption
    case endBeforeStart, invalidCoordinates, invalidRegistration, requiredPart, tooFewEntries
    case declarationRequired, fileTooLarge, fileType, tooManyFiles

    var english: String {
        switch self {
        case .requiredText: "Enter an answer to ‘{label}’"
        case .requiredChoice: "Select an answer to ‘{label}’"
        case .requiredCheckboxes: "Select at least one option for ‘{label}’"
        case .tooLong: "‘{label}’ must be {max} characters or fewer"
        case .invalidEmail: "Enter an email address in the correct format, like name@example.com"
        case .invalidPhone: "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
        case .invalidPostcode: "Enter a full UK postcode, like SW1A 2AA"
        case .invalidDate: "‘{label}’ must be a real date, with a day, month and year"
        case .futureDate: "‘{label}’ must be today or in the past"
        case .invalidTime: "Enter a time in 24-hour format, like 14:30"
        case .invalidNumber: "‘{label}’ must be a whole number"
        case .outOfRange: "‘{label}’ must be between {min} and {max}"
        case .invalidMoney: "Enter an amount in pounds, like 25 or 25.50"
        case .invalidOption: "Select one of the options for ‘{label}’"
        case .endBeforeStart: "The end of the time range must be after its start"
        case .invalidCoordinates: "Latitude and longitude must be numbers, like 51.5014 and -0.1419"
        case .invalidRegistration: "Enter a vehicle registration of letters and numbers, like AB12 CDE"
        case .requiredPart: "Enter {part} for ‘{label}’"
        case .tooFewEntries: "Add at least {min}"
        case .declarationRequired: "Confirm the declaration to send your report"
        case .fileTooLarge: "‘{name}’ must be smaller than 10MB"
        case .fileType: "‘{name}’ must be a photo (JPG, PNG or HEIC), a video (MP4 or MOV) or a PDF"
        case .tooManyFiles: "You can upload up to {max} files here"
        }
    }

    var welsh: String {
        switch self {
        case .requiredText: "Rhowch ateb i ‘{label}’"
        case .requiredChoice: "Dewiswch ateb i ‘{label}’"
        case .requiredCheckboxes: "Dewiswch o leiaf un opsiwn ar gyfer ‘{label}’"
        case .tooLong: "Rhaid i ‘{label}’ fod yn {max} nod neu lai"
        case .invalidEmail: "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com"
        case .invalidPhone: "Rhowch rif ffôn yn y DU, fel 01632 960 001 neu 07700 900 982"
        case .invalidPostcode: "Rhowch god post llawn yn y DU, fel SW1A 2AA"
        case .invalidDate: "Rhaid i ‘{label}’ fod yn ddyddiad go iawn, gyda diwrnod, mis a blwyddyn"
        case .futureDate: "Rhaid i ‘{label}’ fod heddiw neu yn y gorffennol"
        case .invalidTime: "Rhowch amser yn y fformat 24 awr, fel 14:30"
        case .invalidNumber: "Rhaid i ‘{label}’ fod yn rhif cyfan"
        case .outOfRange: "Rhaid i ‘{label}’ fod rhwng {min} a {max}"
        case .invalidMoney: "Rhowch swm mewn punnoedd, fel 25 neu 25.50"
        case .invalidOption: "Dewiswch un o'r opsiynau ar gyfer ‘{label}’"
        case .endBeforeStart: "Rhaid i ddiwedd y cyfnod fod ar ôl ei ddechrau"
        case .invalidCoordinates: "Rhaid i'r lledred a'r hydred fod yn rhifau, fel 51.5014 a -0.1419"
        case .invalidRegistration: "Rhowch rif cofrestru cerbyd o lythrennau a rhifau, fel AB12 CDE"
        case .requiredPart: "Rhowch {part} ar gyfer ‘{label}’"
        case .tooFewEntries: "Ychwanegwch o leiaf {min}"
        case .declarationRequired: "Cadarnhewch y datganiad i anfon eich adroddiad"
        case .fileTooLarge: "Rhaid i ‘{name}’ fod yn llai na 10MB"
        case .fileType: "Rhaid i ‘{name}’ fod yn llun (JPG, PNG neu HEIC), yn fideo (MP4 neu MOV) neu'n PDF"
        case .tooManyFiles: "Gallwch lwytho hyd at {max} ffeil yma"
        }
    }

    package func text(_ language: Language, _ values: [String: String] = [:]) -> String {
        Placeholders.fill(language == .welsh ? welsh : english, values)
    }
}

/// What a part of a compound question is called in a message ("the day", "the town").
package enum PartName {
    static let english: [String: String] = [
        "day": "the day", "month": "the month", "year": "the year", "line1": "the first line of the address",
        "town": "the town or city", "postcode": "the postcode", "description": "a description", "name": "a name",
        "registration": "the registration", "mode": "whether you know exactly",
    ]
    static let welsh: [String: String] = [
        "day": "y diwrnod", "month": "y mis", "year": "y flwyddyn", "line1": "llinell gyntaf y cyfeiriad",
        "town": "y dref neu'r ddinas", "postcode": "y cod post", "description": "disgrifiad", "name": "enw",
        "registration": "y rhif cofrestru", "mode": "a ydych yn gwybod yn union",
    ]

    static func text(_ part: String, _ language: Language) -> String {
        (language == .welsh ? welsh : english)[part] ?? part
    }
}
