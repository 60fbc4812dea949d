import Mustache

// Templates read the journey views through `MustacheParent` rather than reflection (see
// PageLookup.swift). Each conformance lists every stored property of its view.

extension QuestionView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "label": label
        case "hint": hint
        case "hintID": hintID
        case "error": error
        case "errorID": errorID
        case "describedBy": describedBy
        case "isHeading": isHeading
        case "value": value
        case "options": options
        case "parts": parts
        case "whenExact": whenExact
        case "whenBetween": whenBetween
        case "exactChecked": exactChecked
        case "betweenChecked": betweenChecked
        case "isText": isText
        case "isTextarea": isTextarea
        case "isRadios": isRadios
        case "isCheckboxes": isCheckboxes
        case "isDate": isDate
        case "isTime": isTime
        case "isWhen": isWhen
        case "isNumber": isNumber
        case "isMoney": isMoney
        case "isEmail": isEmail
        case "isPhone": isPhone
        case "isPostcode": isPostcode
        case "isCompound": isCompound
        case "isFile": isFile
        case "inputMode": inputMode
        case "autocomplete": autocomplete
        case "maxLength": maxLength
        case "uploaded": uploaded
        case "t": t
        default: nil
        }
    }
}

extension QuestionView.OptionView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "label": label
        case "id": id
        case "name": self.name
        case "checked": checked
        default: nil
        }
    }
}

extension QuestionView.PartView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "id": id
        case "label": label
        case "value": value
        case "width": width
        case "partError": partError
        case "hasError": hasError
        default: nil
        }
    }
}

extension JourneyPageView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "serviceTitle": serviceTitle
        case "heading": heading
        case "headingIsLabel": headingIsLabel
        case "body": body
        case "linkHref": linkHref
        case "linkText": linkText
        case "questions": questions
        case "errors": errors
        case "hasErrors": hasErrors
        case "action": action
        case "backHref": backHref
        case "isQuestion": isQuestion
        case "isStop": isStop
        case "canContinue": canContinue
        case "quickExit": quickExit
        case "isRepeatSummary": isRepeatSummary
        case "entries": entries
        case "addAnother": addAnother
        case "addAnotherYes": addAnotherYes
        case "addAnotherNo": addAnotherNo
        case "isRepeatEntry": isRepeatEntry
        case "hasFile": hasFile
        case "editIndex": editIndex
        case "saveHref": saveHref
        default: nil
        }
    }
}

extension JourneyPageView.ErrorLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "href": href
        case "message": message
        default: nil
        }
    }
}

extension JourneyPageView.EntryView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "index": index
        case "changeHref": changeHref
        case "summary": summary
        default: nil
        }
    }
}

extension SaveView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "action": action
        case "backHref": backHref
        case "email": email
        case "errors": errors
        case "hasErrors": hasErrors
        case "saved": saved
        case "code": code
        case "emailed": emailed
        case "resumeHref": resumeHref
        case "quickExit": quickExit
        default: nil
        }
    }
}

extension ResumeView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "action": action
        case "code": code
        case "errors": errors
        case "hasErrors": hasErrors
        case "quickExit": quickExit
        default: nil
        }
    }
}

extension CheckAnswersView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "heading": heading
        case "sections": sections
        case "declaration": declaration
        case "declarationError": declarationError
        case "hasErrors": hasErrors
        case "action": action
        case "quickExit": quickExit
        default: nil
        }
    }
}

extension CheckAnswersView.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "question": question
        case "answer": answer
        case "changeHref": changeHref
        case "changeLabel": changeLabel
        default: nil
        }
    }
}

extension CheckAnswersView.SectionView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "rows": rows
        default: nil
        }
    }
}

extension ConfirmationView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "heading": heading
        case "reference": reference
        case "whatNext": whatNext
        case "quickExit": quickExit
        case "homeHref": homeHref
        case "myPoliceHref": myPoliceHref
        default: nil
        }
    }
}

extension ServicesListView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "heading": heading
        case "items": items
        default: nil
        }
    }
}

extension ServicesListView.Item: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "summary": summary
        case "href": href
        default: nil
        }
    }
}

extension ServiceStartView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "heading": heading
        case "summary": summary
        case "action": action
        case "quickExit": quickExit
        case "resumeHref": resumeHref
        default: nil
        }
    }
}

extension MailboxView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "messages": messages
        case "hasMessages": hasMessages
        default: nil
        }
    }
}

extension MailboxView.Message: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "to": to
        case "subject": subject
        case "body": body
        case "sentAt": sentAt
        case "isText": isText
        default: nil
        }
    }
}
