import HTTPTypes
import Hummingbird
import Testing

@testable import PeelWeb

@Suite("Reading forms, query strings and cookies")
struct RequestReadingTests {
    @Test("form text: + is a space, %XX a byte of UTF-8, repeated names keep every value in order")
    func urlEncoded() {
        let fields = PostedForm.parseURLEncoded("a=1&b=two+words&a=2&c=%C5%B5y%26%3D&empty=&bare&=nameless")
        #expect(fields["a"] == ["1", "2"])
        #expect(fields["b"] == ["two words"])
        #expect(fields["c"] == ["ŵy&="])
        #expect(fields["empty"] == [""])
        #expect(fields["bare"] == [""])
        #expect(fields[""] == nil)
    }

    @Test("a broken escape or bytes that are not UTF-8 read as empty, never as a crash")
    func brokenEscapes() {
        let fields = PostedForm.parseURLEncoded("a=%&b=%4&c=%zz&d=%FF%FE&e=100%25&f=%2B")
        #expect(fields["a"] == [""])
        #expect(fields["b"] == [""])
        #expect(fields["c"] == [""])
        #expect(fields["d"] == [""])
        #expect(fields["e"] == ["100%"])
        #expect(fields["f"] == ["+"])
        #expect(PostedForm.parseURLEncoded(String(repeating: "n", count: 101) + "=v").isEmpty)
    }

    @Test("a cookie is found by its exact name in any Cookie header; the first of a repeated name wins")
    func cookies() {
        var headers = HTTPFields()
        headers.append(HTTPField(name: .cookie, value: "peel_lang=cy; peel_csrf=abc=def"))
        headers.append(HTTPField(name: .cookie, value: "  peel_session=s1;peel_lang=en; flag"))
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/", headerFields: headers), body: RequestBody(buffer: .init()))
        #expect(request.cookie("peel_lang") == "cy")
        #expect(request.cookie("peel_csrf") == "abc=def")
        #expect(request.cookie("peel_session") == "s1")
        #expect(request.cookie("peel") == nil)
        #expect(request.cookie("flag") == nil)
    }
}
