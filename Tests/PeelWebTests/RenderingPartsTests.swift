import PeelForms
import PeelWeb
import Testing

@Suite("HTML escaping and the journey state cache")
struct RenderingPartsTests {
    @Test("the five HTML-significant characters become entities; everything else is kept, Welsh and emoji included")
    func escaping() {
        #expect(HTMLEscaping.escape(#"<script>alert("x")</script> & 'y'"#)
            == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        #expect(HTMLEscaping.escape("Heddlu Gogledd Cymru: ŵ ŷ â 🚓") == "Heddlu Gogledd Cymru: ŵ ŷ â 🚓")
        #expect(HTMLEscaping.escape("") == "")
        #expect(HTMLEscaping.escape("&amp;") == "&amp;amp;")
        #expect(HTMLEscaping.escape("ŵ<ŷ") == "ŵ&lt;ŷ")
    }

    @Test("a cached state is used only for exactly the JSON it came from")
    func stateCache() {
        let cache = JourneyStateCache(capacity: 2)
        var state = JourneyState()
        state.declared = true
        cache.remember(state, json: #"{"declared":true}"#, for: "a")
        #expect(cache.state(for: "a", json: #"{"declared":true}"#) == state)
        // Another node changed the journey: the stored JSON differs, so the cache is not used.
        #expect(cache.state(for: "a", json: #"{"declared":false}"#) == nil)
        #expect(cache.state(for: "b", json: #"{"declared":true}"#) == nil)
    }

    @Test("the cache holds at most two generations of its capacity")
    func stateCacheBound() {
        let cache = JourneyStateCache(capacity: 2)
        let state = JourneyState()
        for id in ["a", "b", "c", "d", "e"] { cache.remember(state, json: "{}", for: id) }
        // "a" and "b" were in the generation dropped when "e" arrived; "c" and "d" are kept.
        #expect(cache.state(for: "a", json: "{}") == nil)
        #expect(cache.state(for: "b", json: "{}") == nil)
        #expect(cache.state(for: "c", json: "{}") == state)
        #expect(cache.state(for: "e", json: "{}") == state)
    }

    @Test("a state's walk is kept only when it was saved pruned, and used only under the same definition, version and day")
    func walkCache() throws {
        let definition = try #require(try ServiceCatalogue.bundled().service("report-crime"))
        let engine = JourneyEngine(definition: definition, today: "2026-11-25")
        let (state, walk) = engine.prunedAndWalked(JourneyState())
        let walked = JourneyStateCache.Walked(service: definition.id, version: definition.version, today: engine.today, walk: walk)
        let cache = JourneyStateCache(capacity: 2)
        cache.remember(state, json: "{}", for: "a", walked: walked)
        cache.remember(state, json: "{}", for: "b")
        let held = try #require(cache.held(for: "a", json: "{}"))
        #expect(held.state == state)
        #expect(held.walked?.walk.path == walk.path)
        #expect(held.walked?.holds(for: definition, today: "2026-11-25") == true)
        // Another day can change what a date condition says; another service or version, the pages.
        #expect(held.walked?.holds(for: definition, today: "2026-11-26") == false)
        let other = try #require(try ServiceCatalogue.bundled().service("lost-property"))
        #expect(held.walked?.holds(for: other, today: "2026-11-25") == false)
        #expect(cache.held(for: "b", json: "{}")?.walked == nil)
        #expect(cache.held(for: "a", json: #"{"declared":true}"#) == nil)
    }
}
