import PeelCore
import Testing

@Suite("Placeholders in catalogue and message text")
struct PlaceholderTests {
    @Test("each {name} with a value is filled, wherever and however often it appears")
    func filled() {
        #expect(Placeholders.fill("Enter {part} for ‘{label}’", ["part": "the day", "label": "Date of birth"]) == "Enter the day for ‘Date of birth’")
        #expect(Placeholders.fill("{a}{a} and {b}", ["a": "x", "b": "ŵy"]) == "xx and ŵy")
        #expect(Placeholders.fill("{n}", ["n": ""]) == "")
    }

    @Test("a placeholder without a value, a lone brace and text without any are left as they are")
    func leftAlone() {
        #expect(Placeholders.fill("Hello {name} {", ["other": "x"]) == "Hello {name} {")
        #expect(Placeholders.fill("} { {x", ["x": "y"]) == "} { {x")
        #expect(Placeholders.fill("plain", ["plain": "no"]) == "plain")
        #expect(Placeholders.fill("{a}", [:]) == "{a}")
    }

    @Test("a value is written as it is: placeholders inside it are not filled again")
    func valuesNotReread() {
        #expect(Placeholders.fill("{a} {b}", ["a": "{b}", "b": "B"]) == "{b} B")
        #expect(Placeholders.fill("{a}", ["a": "<script>{a}</script>"]) == "<script>{a}</script>")
    }
}
