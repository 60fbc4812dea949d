import Foundation
import Mustache

/// Peel's templates, parsed once and rendered by Peel's own renderer.
///
/// The templates are Mustache, and swift-mustache remains the reference: in debug builds every
/// page is rendered by both and must come out byte for byte the same (``PageRenderer``). The
/// difference is in the cost of rendering, a fifth of a page's time with swift-mustache: here a
/// name is split into its parts once, when the template is parsed, and a context frame is cast to
/// `MustacheParent` once, when it is pushed, rather than on every lookup.
///
/// What is supported is what Peel's templates use: variables (`{{name}}`, `{{{name}}}`,
/// `{{&name}}`, dotted names, `{{.}}` and swift-mustache's transforms such as `empty(list)`),
/// sections and inverted sections, comments, partials, and inheritance (`{{<parent}}` with
/// `{{$block}}` overrides). Whitespace follows the same
/// standalone-line rules as swift-mustache, so output is identical.
package struct PeelTemplates: Sendable {
    private let templates: [String: [TemplateNode]]

    /// Parses every `.mustache` file in `directory`, each with the content-type pragma line
    /// swift-mustache's library is given, so that both parse the same text.
    package init(directory: URL, prefix: String) throws {
        var sources: [String: String] = [:]
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "mustache" {
            sources[file.deletingPathExtension().lastPathComponent] = prefix + (try String(contentsOf: file, encoding: .utf8))
        }
        try self.init(sources: sources)
    }

    /// Templates by name, from their text.
    package init(sources: [String: String]) throws {
        var templates: [String: [TemplateNode]] = [:]
        for (name, text) in sources {
            do {
                var parser = TemplateParser(text)
                templates[name] = try parser.parseAll()
            } catch {
                throw TemplateError(description: "template \(name): \(error)")
            }
        }
        self.templates = templates
    }

    /// `template` rendered with `object` at the top of the context, or nil for an unknown name.
    package func render(_ object: Any, template name: String) -> String? {
        guard let nodes = templates[name] else { return nil }
        var output = ""
        output.reserveCapacity(16 * 1024)
        var context = TemplateContext(stack: [TemplateFrame(object)])
        render(nodes, &context, into: &output)
        return output
    }

    // One context goes down the whole render: a section pushes its value and pops it when done,
    // a partial or block sets its indentation and overrides and puts them back, rather than each
    // making a copy of the context (and of its stack) for what it renders.

    private func render(_ nodes: [TemplateNode], _ context: inout TemplateContext, into output: inout String) {
        guard let indentation = context.indentation, !indentation.isEmpty else {
            for node in nodes { render(node, &context, into: &output) }
            return
        }
        // Inside an indented partial: each piece that starts a new line is indented.
        var local = ""
        for node in nodes {
            var piece = ""
            render(node, &context, into: &piece)
            if !piece.isEmpty, local.utf8.last == UInt8(ascii: "\n") { local += indentation }
            local += piece
        }
        output += local
    }

    private func render(_ node: TemplateNode, _ context: inout TemplateContext, into output: inout String) {
        switch node {
        case .text(let text):
            output += text
        case .variable(let name, let escaped):
            guard let value = context.lookup(name) else { return }
            let text: String
            if let string = value as? String {
                text = string
            } else {
                text = String(describing: Self.unwrapped(value))
            }
            output += escaped ? HTMLEscaping.escape(text) : text
        case .section(let name, let body, let inverted):
            let value = context.lookup(name)
            if let sequence = value as? any MustacheSequence {
                renderSequence(sequence, body, inverted: inverted, &context, into: &output)
            } else if let flag = value as? Bool {
                if flag != inverted { render(body, &context, into: &output) }
            } else if let value {
                if !inverted { render(body, pushing: value, &context, into: &output) }
            } else if inverted {
                render(body, &context, into: &output)
            }
        case .partial(let name, let indentation, let overrides):
            guard let nodes = templates[name] else { return }
            let saved = (context.indentation, context.overrides)
            context.enterPartial(indentation: indentation, overrides: overrides)
            render(nodes, &context, into: &output)
            (context.indentation, context.overrides) = saved
        case .block(let name, let defaults, let indentation):
            let nodes = context.overrides?[name] ?? defaults
            let saved = context.indentation
            context.indentation = (saved ?? "") + indentation
            render(nodes, &context, into: &output)
            context.indentation = saved
        case .blockDefinition:
            break  // read by the parent partial that holds it, never rendered in place
        }
    }

    /// `body` with `value` at the top of the context.
    private func render(_ body: [TemplateNode], pushing value: Any, _ context: inout TemplateContext, into output: inout String) {
        context.stack.append(TemplateFrame(value))
        render(body, &context, into: &output)
        context.stack.removeLast()
    }

    private func renderSequence<Items: MustacheSequence>(
        _ items: Items, _ body: [TemplateNode], inverted: Bool, _ context: inout TemplateContext, into output: inout String
    ) {
        if inverted {
            var iterator = items.makeIterator()
            if iterator.next() == nil { render(body, pushing: items, &context, into: &output) }
            return
        }
        for item in items { render(body, pushing: item, &context, into: &output) }
    }

    private static func unwrapped(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value ?? value
    }
}

package struct TemplateError: Error, CustomStringConvertible {
    package let description: String
}

/// A dotted name, split once: `layout.t.back` is `["layout", "t", "back"]`; `.` is the top of
/// the context.
struct TemplateName: Sendable {
    let parts: [String]
    let isCurrent: Bool
    /// A name that begins with a dot is looked up only at the top of the context.
    let anchored: Bool
    /// swift-mustache's transforms, outermost first: `empty(layout.nav)` is `["empty"]`.
    let transforms: [String]

    init(_ text: String) {
        var inner = Substring(text)
        var transforms: [String] = []
        while let open = inner.firstIndex(of: "("), inner.last == ")" {
            transforms.append(String(inner[..<open]))
            inner = inner[inner.index(after: open)..<inner.index(before: inner.endIndex)]
        }
        self.transforms = transforms
        isCurrent = inner == "."
        anchored = !isCurrent && inner.hasPrefix(".")
        parts = inner.split(separator: ".").map(String.init)
    }
}

indirect enum TemplateNode: Sendable {
    case text(String)
    case variable(TemplateName, escaped: Bool)
    case section(TemplateName, [TemplateNode], inverted: Bool)
    /// `indentation` is nil for a partial that is not alone on its line.
    case partial(String, indentation: String?, overrides: [String: [TemplateNode]]?)
    case block(String, defaults: [TemplateNode], indentation: String)
    case blockDefinition(String, [TemplateNode])
}

/// A value on the context stack, cast once to the protocol templates read it through.
struct TemplateFrame {
    let value: Any
    let parent: (any MustacheParent)?

    init(_ value: Any) {
        self.value = value
        self.parent = value as? any MustacheParent
    }

    func child(_ name: String) -> Any? {
        if let parent { return parent.child(named: name) }
        // A value without a lookup of its own is read by reflection, as swift-mustache does.
        guard let match = Mirror(reflecting: value).children.first(where: { $0.label == name }) else { return nil }
        let mirror = Mirror(reflecting: match.value)
        guard mirror.displayStyle == .optional else { return match.value }
        return mirror.children.first?.value
    }
}

struct TemplateContext {
    var stack: [TemplateFrame]
    var indentation: String? = nil
    var overrides: [String: [TemplateNode]]? = nil

    /// A partial's context: its indentation added to ours, and the blocks it overrides where ours
    /// do not already (the outermost override wins).
    mutating func enterPartial(indentation indented: String?, overrides added: [String: [TemplateNode]]?) {
        if let indented { indentation = (indentation ?? "") + indented }
        if let added { overrides = (overrides ?? [:]).merging(added) { ours, _ in ours } }
    }

    func lookup(_ name: TemplateName) -> Any? {
        guard var value = find(name) else { return nil }
        for transform in name.transforms.reversed() {
            guard let transformable = value as? any MustacheTransformable, let result = transformable.transform(transform) else {
                return nil
            }
            value = result
        }
        return value
    }

    private func find(_ name: TemplateName) -> Any? {
        if name.isCurrent { return stack.last?.value }
        guard let first = name.parts.first else { return nil }
        var found: Any?
        if name.anchored {
            found = stack.last?.child(first)
        } else {
            for index in stack.indices.reversed() {
                if let value = stack[index].child(first) {
                    found = value
                    break
                }
            }
        }
        guard var value = found else { return nil }
        for part in name.parts.dropFirst() {
            guard let next = TemplateFrame(value).child(part) else { return nil }
            value = next
        }
        return value
    }
}

/// Reads a template into nodes, applying Mustache's standalone-line rule the way swift-mustache
/// does: a section, comment, partial, parent, block or pragma tag alone on its line takes the
/// line's leading whitespace and its line break with it.
struct TemplateParser {
    struct State {
        var section: String?
        var newLine = true
        /// Inside a parent's `{{<name}}…{{/name}}`.
        var inDefinition = false
        /// Directly inside a parent, where only block definitions count.
        var topLevel = false
        /// How far the first line of a block definition was indented; later lines lose as much.
        var definitionIndent: Int?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func parseAll() throws -> [TemplateNode] { try parse(State()) }

    private var atEnd: Bool { position >= bytes.count }

    private func isNewline(at index: Int) -> Bool {
        index < bytes.count && (bytes[index] == 0x0A || bytes[index] == 0x0D)
    }

    /// The line break at the current position (`\n`, `\r\n` or `\r`), consumed.
    private mutating func readNewline() -> [UInt8] {
        if bytes[position] == 0x0D, position + 1 < bytes.count, bytes[position + 1] == 0x0A {
            position += 2
            return [0x0D, 0x0A]
        }
        position += 1
        return [bytes[position - 1]]
    }

    private mutating func readSpaces() -> [UInt8] {
        let start = position
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
        return Array(bytes[start..<position])
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private func startsTag(at index: Int) -> Bool {
        index + 1 < bytes.count && bytes[index] == UInt8(ascii: "{") && bytes[index + 1] == UInt8(ascii: "{")
    }

    /// Text up to a tag (whose `{{` is consumed), a line break (not consumed) or the end.
    private mutating func readText() -> [UInt8] {
        let start = position
        while position < bytes.count, !isNewline(at: position) {
            if startsTag(at: position) {
                let text = Array(bytes[start..<position])
                position += 2
                return text
            }
            position += 1
        }
        return Array(bytes[start..<position])
    }

    /// After a tag: the rest of the line is only spaces and tabs (its break is consumed), or the
    /// template ends.
    private mutating func lineFinished() -> Bool {
        if atEnd { return true }
        var look = position
        while look < bytes.count, bytes[look] == 0x20 || bytes[look] == 0x09 { look += 1 }
        guard isNewline(at: look) else { return false }
        position = look
        _ = readNewline()
        return true
    }

    private mutating func standalone(_ state: State) -> Bool { state.newLine && lineFinished() }

    private mutating func readName(allowing extra: Set<UInt8> = []) throws -> String {
        skipWhitespace()
        let start = position
        let allowed = Self.nameBytes.union(extra)
        while position < bytes.count, allowed.contains(bytes[position]) { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        skipWhitespace()
        try expect("}}")
        return name
    }

    private mutating func expect(_ text: String) throws {
        let wanted = Array(text.utf8)
        guard position + wanted.count <= bytes.count, Array(bytes[position..<position + wanted.count]) == wanted else {
            throw Failure(description: "expected \(text) at byte \(position)")
        }
        position += wanted.count
    }

    private mutating func skipPast(_ text: String) throws {
        let wanted = Array(text.utf8)
        while position + wanted.count <= bytes.count {
            if Array(bytes[position..<position + wanted.count]) == wanted {
                position += wanted.count
                return
            }
            position += 1
        }
        throw Failure(description: "unclosed tag")
    }

    private static let nameBytes = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*()".utf8)

    private static func text(_ bytes: [UInt8]) -> TemplateNode { .text(String(decoding: bytes, as: UTF8.self)) }

    private mutating func parse(_ initial: State) throws -> [TemplateNode] {
        var state = initial
        var nodes: [TemplateNode] = []
        var before: [UInt8] = []
        while !atEnd {
            if state.newLine {
                let spaces = readSpaces()
                if state.inDefinition, !state.topLevel {
                    if let indent = state.definitionIndent {
                        before = Array(spaces.dropFirst(indent))
                    } else {
                        state.definitionIndent = spaces.count
                    }
                } else {
                    before = spaces
                }
            }
            let positionBefore = position
            let text = readText()
            let foundTag = position > positionBefore + text.count  // the `{{` was consumed
            if !foundTag, !atEnd, isNewline(at: position) {
                nodes.append(Self.text(before + text + readNewline()))
                state.newLine = true
                continue
            }
            if !text.isEmpty {
                nodes.append(Self.text(before + text))
                before = []
                state.newLine = false
            }
            if !foundTag { break }
            guard !atEnd else { throw Failure(description: "a tag is not closed") }
            var setNewLine = false
            let sigil = bytes[position]
            switch sigil {
            case UInt8(ascii: "#"), UInt8(ascii: "^"):
                position += 1
                let name = try readName()
                if standalone(state) {
                    setNewLine = true
                } else if !before.isEmpty {
                    nodes.append(Self.text(before))
                    before = []
                }
                var inner = state
                inner.section = name
                inner.topLevel = false
                inner.newLine = setNewLine
                let body = try parse(inner)
                nodes.append(.section(TemplateName(name), body, inverted: sigil == UInt8(ascii: "^")))
            case UInt8(ascii: "/"):
                position += 1
                let name = try readName()
                guard name == state.section else { throw Failure(description: "{{/\(name)}} closes \(state.section ?? "nothing")") }
                if !standalone(state), !before.isEmpty { nodes.append(Self.text(before)) }
                return nodes
            case UInt8(ascii: "!"):
                try skipPast("}}")
                setNewLine = standalone(state)
            case UInt8(ascii: "%"):
                try skipPast("}}")
                setNewLine = standalone(state)
            case UInt8(ascii: "{"), UInt8(ascii: "&"):
                if !before.isEmpty {
                    nodes.append(Self.text(before))
                    before = []
                }
                position += 1
                let name = try readName()
                if sigil == UInt8(ascii: "{") { try expect("}") }
                nodes.append(.variable(TemplateName(name), escaped: false))
            case UInt8(ascii: ">"):
                position += 1
                let name = try readName(allowing: [UInt8(ascii: "/")])
                if !before.isEmpty { nodes.append(Self.text(before)) }
                if standalone(state) {
                    setNewLine = true
                    nodes.append(.partial(name, indentation: String(decoding: before, as: UTF8.self), overrides: nil))
                } else {
                    nodes.append(.partial(name, indentation: nil, overrides: nil))
                }
                before = []
            case UInt8(ascii: "<"):
                position += 1
                let name = try readName(allowing: [UInt8(ascii: "/")])
                if !before.isEmpty { nodes.append(Self.text(before)) }
                if standalone(state) { setNewLine = true }
                var inner = state
                inner.section = name
                inner.newLine = true
                inner.inDefinition = true
                inner.topLevel = true
                var overrides: [String: [TemplateNode]] = [:]
                for node in try parse(inner) {
                    switch node {
                    case .blockDefinition(let block, let body): overrides[block] = body
                    case .text: break
                    default: throw Failure(description: "only blocks may be given inside {{<\(name)}}")
                    }
                }
                nodes.append(.partial(name, indentation: String(decoding: before, as: UTF8.self), overrides: overrides))
                before = []
            case UInt8(ascii: "$"):
                position += 1
                let name = try readName()
                if state.topLevel {
                    setNewLine = standalone(state)
                    var inner = state
                    inner.section = name
                    inner.topLevel = false
                    inner.newLine = setNewLine
                    nodes.append(.blockDefinition(name, try parse(inner)))
                } else {
                    if !before.isEmpty { nodes.append(Self.text(before)) }
                    setNewLine = standalone(state)
                    var inner = state
                    inner.section = name
                    inner.topLevel = false
                    inner.newLine = setNewLine
                    let defaults = try parse(inner)
                    nodes.append(.block(name, defaults: defaults, indentation: String(decoding: before, as: UTF8.self)))
                    before = []
                }
            case UInt8(ascii: "="):
                throw Failure(description: "changing delimiters is not supported")
            default:
                if !before.isEmpty {
                    nodes.append(Self.text(before))
                    before = []
                }
                let name = try readName()
                nodes.append(.variable(TemplateName(name), escaped: true))
            }
            state.newLine = setNewLine
        }
        guard initial.section == nil else { throw Failure(description: "{{#\(initial.section ?? "")}} is not closed") }
        return nodes
    }
}
