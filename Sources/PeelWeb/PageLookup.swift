import Mustache

// Templates read view models through `MustacheParent` rather than reflection: a field lookup is a
// switch instead of a `Mirror`, which took most of a page's rendering time. Each conformance lists
// exactly the fields its templates read; a test renders every page, so a missing field shows up
// as a missing string there.

extension Layout: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "lang": lang
        case "t": t
        case "title": title
        case "headerName": headerName
        case "headerHref": headerHref
        case "onForceSite": onForceSite
        case "brandStylesheet": brandStylesheet
        case "stylesheet": stylesheet
        case "languages": languages
        case "footerLinks": footerLinks
        case "csrfToken": csrfToken
        default: nil
        }
    }
}

extension Layout.LanguageOption: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "code": code
        case "href": href
        case "current": current
        default: nil
        }
    }
}

extension Layout.Link: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "href": href
        default: nil
        }
    }
}

extension LandingPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "query": query
        case "filtered": filtered
        case "resultsSummary": resultsSummary
        case "noResults": noResults
        case "regions": regions
        case "hasRegions": hasRegions
        case "formAction": formAction
        case "crimeHref": crimeHref
        default: nil
        }
    }
}

extension LandingPage.RegionGroup: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "name": self.name
        case "forces": forces
        default: nil
        }
    }
}

extension LandingPage.ForceLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "href": href
        case "online": online
        default: nil
        }
    }
}

extension ForceHomePage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "heading": heading
        case "intro": intro
        case "onboarded": onboarded
        case "notOnboarded": notOnboarded
        case "services": services
        case "servicesHref": servicesHref
        case "contact": contact
        case "otherForceHref": otherForceHref
        case "myPoliceHref": myPoliceHref
        case "crimeHref": crimeHref
        case "neighbourhoodsHref": neighbourhoodsHref
        default: nil
        }
    }
}

extension ForceHomePage.Contact: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": heading
        case "phone": phone
        case "phoneHref": phoneHref
        case "text": text
        case "noPhone": noPhone
        case "website": website
        case "websiteHref": websiteHref
        default: nil
        }
    }
}

extension InfoPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "heading": heading
        case "paragraphs": paragraphs
        case "cookies": cookies
        case "hasCookies": hasCookies
        default: nil
        }
    }
}

extension InfoPage.CookieRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "purpose": purpose
        case "expires": expires
        default: nil
        }
    }
}

extension ErrorPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "heading": heading
        case "paragraphs": paragraphs
        case "reference": reference
        case "findForceHref": findForceHref
        case "findForce": findForce
        default: nil
        }
    }
}

extension ForceHomePage.ServiceGroup: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": heading
        case "links": links
        default: nil
        }
    }
}

extension ForceHomePage.ServiceGroup.Link: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "href": href
        default: nil
        }
    }
}
