/// The registry of every force and policing body Peel serves: the 43 territorial forces of
/// England and Wales, British Transport Police, and the auxiliary bodies. Ids equal the
/// data.police.uk force ids where one exists.
///
/// Brand colours are dark enough for white text at WCAG AA (tested). Contact numbers are the
/// public non-emergency routes. Start-up refreshes names, kinds, regions and colours from here but
/// keeps stored contact details, which force administration will edit.
package enum ForceRegistry {
    package static let all: [ForceDefinition] = territorial + [
        ForceDefinition(
            id: ForceID("btp"), name: "British Transport Police", welshName: "Heddlu Trafnidiaeth Prydeinig",
            kind: .national, region: .national,
            contact: ForceContact(phone: "0800 40 50 40", textNumber: "61016", website: "https://www.btp.police.uk"),
            brandColour: "#1b2a59"),
        ForceDefinition(
            id: ForceID("ministry-of-defence"), name: "Ministry of Defence Police",
            kind: .auxiliary, region: .national,
            contact: ForceContact(phone: nil, website: "https://www.mod.police.uk"),
            brandColour: "#2d2a5a"),
        ForceDefinition(
            id: ForceID("civil-nuclear"), name: "Civil Nuclear Constabulary",
            kind: .auxiliary, region: .national,
            contact: ForceContact(phone: nil, website: "https://www.gov.uk/government/organisations/civil-nuclear-constabulary"),
            brandColour: "#113d3c"),
    ]

    /// The 43 territorial forces of England and Wales.
    package static let territorial: [ForceDefinition] = [
        ForceDefinition(
            id: ForceID("avon-and-somerset"), name: "Avon and Somerset Constabulary", region: .southWest,
            contact: ForceContact(phone: "101", website: "https://www.avonandsomerset.police.uk"), brandColour: "#1b3a6b"),
        ForceDefinition(
            id: ForceID("bedfordshire"), name: "Bedfordshire Police", region: .eastOfEngland,
            contact: ForceContact(phone: "101", website: "https://www.bedfordshire.police.uk"), brandColour: "#00386b"),
        ForceDefinition(
            id: ForceID("cambridgeshire"), name: "Cambridgeshire Constabulary", region: .eastOfEngland,
            contact: ForceContact(phone: "101", website: "https://www.cambs.police.uk"), brandColour: "#27408b"),
        ForceDefinition(
            id: ForceID("cheshire"), name: "Cheshire Constabulary", region: .northWest,
            contact: ForceContact(phone: "101", website: "https://www.cheshire.police.uk"), brandColour: "#173f5f"),
        ForceDefinition(
            id: ForceID("city-of-london"), name: "City of London Police", region: .london,
            contact: ForceContact(phone: "101", website: "https://www.cityoflondon.police.uk"), brandColour: "#8b0000"),
        ForceDefinition(
            id: ForceID("cleveland"), name: "Cleveland Police", region: .northEast,
            contact: ForceContact(phone: "101", website: "https://www.cleveland.police.uk"), brandColour: "#1f3864"),
        ForceDefinition(
            id: ForceID("cumbria"), name: "Cumbria Constabulary", region: .northWest,
            contact: ForceContact(phone: "101", website: "https://www.cumbria.police.uk"), brandColour: "#003a70"),
        ForceDefinition(
            id: ForceID("derbyshire"), name: "Derbyshire Constabulary", region: .eastMidlands,
            contact: ForceContact(phone: "101", website: "https://www.derbyshire.police.uk"), brandColour: "#2b3f87"),
        ForceDefinition(
            id: ForceID("devon-and-cornwall"), name: "Devon and Cornwall Police", region: .southWest,
            contact: ForceContact(phone: "101", website: "https://www.devon-cornwall.police.uk"), brandColour: "#00467f"),
        ForceDefinition(
            id: ForceID("dorset"), name: "Dorset Police", region: .southWest,
            contact: ForceContact(phone: "101", website: "https://www.dorset.police.uk"), brandColour: "#143d6b"),
        ForceDefinition(
            id: ForceID("durham"), name: "Durham Constabulary", region: .northEast,
            contact: ForceContact(phone: "101", website: "https://www.durham.police.uk"), brandColour: "#002f6c"),
        ForceDefinition(
            id: ForceID("dyfed-powys"), name: "Dyfed-Powys Police", welshName: "Heddlu Dyfed-Powys", region: .wales,
            contact: ForceContact(phone: "101", website: "https://www.dyfed-powys.police.uk"), brandColour: "#005a3c"),
        ForceDefinition(
            id: ForceID("essex"), name: "Essex Police", region: .eastOfEngland,
            contact: ForceContact(phone: "101", website: "https://www.essex.police.uk"), brandColour: "#0b3d91"),
        ForceDefinition(
            id: ForceID("gloucestershire"), name: "Gloucestershire Constabulary", region: .southWest,
            contact: ForceContact(phone: "101", website: "https://www.gloucestershire.police.uk"), brandColour: "#213a8f"),
        ForceDefinition(
            id: ForceID("greater-manchester"), name: "Greater Manchester Police", region: .northWest,
            contact: ForceContact(phone: "101", website: "https://www.gmp.police.uk"), brandColour: "#1c355e"),
        ForceDefinition(
            id: ForceID("gwent"), name: "Gwent Police", welshName: "Heddlu Gwent", region: .wales,
            contact: ForceContact(phone: "101", website: "https://www.gwent.police.uk"), brandColour: "#004b87"),
        ForceDefinition(
            id: ForceID("hampshire"), name: "Hampshire and Isle of Wight Constabulary", region: .southEast,
            contact: ForceContact(phone: "101", website: "https://www.hampshire.police.uk"), brandColour: "#003b71"),
        ForceDefinition(
            id: ForceID("hertfordshire"), name: "Hertfordshire Constabulary", region: .eastOfEngland,
            contact: ForceContact(phone: "101", website: "https://www.herts.police.uk"), brandColour: "#1a4480"),
        ForceDefinition(
            id: ForceID("humberside"), name: "Humberside Police", region: .yorkshireAndTheHumber,
            contact: ForceContact(phone: "101", website: "https://www.humberside.police.uk"), brandColour: "#123f6d"),
        ForceDefinition(
            id: ForceID("kent"), name: "Kent Police", region: .southEast,
            contact: ForceContact(phone: "101", website: "https://www.kent.police.uk"), brandColour: "#183c69"),
        ForceDefinition(
            id: ForceID("lancashire"), name: "Lancashire Constabulary", region: .northWest,
            contact: ForceContact(phone: "101", website: "https://www.lancashire.police.uk"), brandColour: "#00305e"),
        ForceDefinition(
            id: ForceID("leicestershire"), name: "Leicestershire Police", region: .eastMidlands,
            contact: ForceContact(phone: "101", website: "https://www.leics.police.uk"), brandColour: "#26397a"),
        ForceDefinition(
            id: ForceID("lincolnshire"), name: "Lincolnshire Police", region: .eastMidlands,
            contact: ForceContact(phone: "101", website: "https://www.lincs.police.uk"), brandColour: "#0e4c92"),
        ForceDefinition(
            id: ForceID("merseyside"), name: "Merseyside Police", region: .northWest,
            contact: ForceContact(phone: "101", website: "https://www.merseyside.police.uk"), brandColour: "#002d62"),
        ForceDefinition(
            id: ForceID("metropolitan"), name: "Metropolitan Police Service", region: .london,
            contact: ForceContact(phone: "101", website: "https://www.met.police.uk"), brandColour: "#0b2a5b"),
        ForceDefinition(
            id: ForceID("norfolk"), name: "Norfolk Constabulary", region: .eastOfEngland,
            contact: ForceContact(phone: "101", website: "https://www.norfolk.police.uk"), brandColour: "#1c3f77"),
        ForceDefinition(
            id: ForceID("north-wales"), name: "North Wales Police", welshName: "Heddlu Gogledd Cymru", region: .wales,
            contact: ForceContact(phone: "101", website: "https://www.northwales.police.uk"), brandColour: "#00437a"),
        ForceDefinition(
            id: ForceID("north-yorkshire"), name: "North Yorkshire Police", region: .yorkshireAndTheHumber,
            contact: ForceContact(phone: "101", website: "https://www.northyorkshire.police.uk"), brandColour: "#0a3a66"),
        ForceDefinition(
            id: ForceID("northamptonshire"), name: "Northamptonshire Police", region: .eastMidlands,
            contact: ForceContact(phone: "101", website: "https://www.northants.police.uk"), brandColour: "#1e3b70"),
        ForceDefinition(
            id: ForceID("northumbria"), name: "Northumbria Police", region: .northEast,
            contact: ForceContact(phone: "101", website: "https://www.northumbria.police.uk"), brandColour: "#00416a"),
        ForceDefinition(
            id: ForceID("nottinghamshire"), name: "Nottinghamshire Police", region: .eastMidlands,
            contact: ForceContact(phone: "101", website: "https://www.nottinghamshire.police.uk"), brandColour: "#153e75"),
        ForceDefinition(
            id: ForceID("south-wales"), name: "South Wales Police", welshName: "Heddlu De Cymru", region: .wales,
            contact: ForceContact(phone: "101", website: "https://www.south-wales.police.uk"), brandColour: "#003c6e"),
        ForceDefinition(
            id: ForceID("south-yorkshire"), name: "South Yorkshire Police", region: .yorkshireAndTheHumber,
            contact: ForceContact(phone: "101", website: "https://www.southyorks.police.uk"), brandColour: "#1b365d"),
        ForceDefinition(
            id: ForceID("staffordshire"), name: "Staffordshire Police", region: .westMidlands,
            contact: ForceContact(phone: "101", website: "https://www.staffordshire.police.uk"), brandColour: "#24386b"),
        ForceDefinition(
            id: ForceID("suffolk"), name: "Suffolk Constabulary", region: .eastOfEngland,
            contact: ForceContact(phone: "101", website: "https://www.suffolk.police.uk"), brandColour: "#0d3b66"),
        ForceDefinition(
            id: ForceID("surrey"), name: "Surrey Police", region: .southEast,
            contact: ForceContact(phone: "101", website: "https://www.surrey.police.uk"), brandColour: "#1d4e89"),
        ForceDefinition(
            id: ForceID("sussex"), name: "Sussex Police", region: .southEast,
            contact: ForceContact(phone: "101", website: "https://www.sussex.police.uk"), brandColour: "#123a70"),
        ForceDefinition(
            id: ForceID("thames-valley"), name: "Thames Valley Police", region: .southEast,
            contact: ForceContact(phone: "101", website: "https://www.thamesvalley.police.uk"), brandColour: "#0c2d6b"),
        ForceDefinition(
            id: ForceID("warwickshire"), name: "Warwickshire Police", region: .westMidlands,
            contact: ForceContact(phone: "101", website: "https://www.warwickshire.police.uk"), brandColour: "#2a3e6e"),
        ForceDefinition(
            id: ForceID("west-mercia"), name: "West Mercia Police", region: .westMidlands,
            contact: ForceContact(phone: "101", website: "https://www.westmercia.police.uk"), brandColour: "#003f7d"),
        ForceDefinition(
            id: ForceID("west-midlands"), name: "West Midlands Police", region: .westMidlands,
            contact: ForceContact(phone: "101", website: "https://www.west-midlands.police.uk"), brandColour: "#1a2f5a"),
        ForceDefinition(
            id: ForceID("west-yorkshire"), name: "West Yorkshire Police", region: .yorkshireAndTheHumber,
            contact: ForceContact(phone: "101", website: "https://www.westyorkshire.police.uk"), brandColour: "#0f3460"),
        ForceDefinition(
            id: ForceID("wiltshire"), name: "Wiltshire Police", region: .southWest,
            contact: ForceContact(phone: "101", website: "https://www.wiltshire.police.uk"), brandColour: "#203f6f"),
    ]

    private static let byID: [ForceID: ForceDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// The registry entry for `id`, if Peel knows the force.
    package static func definition(for id: ForceID) -> ForceDefinition? { byID[id] }
}
