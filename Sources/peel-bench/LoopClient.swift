#if canImport(Glibc)
import CPeelBenchPoll
import Foundation
import Glibc

/// The simulated people, all on one thread: one `epoll` loop, one kept-alive socket a
/// connection, each request written in one `write` and each response read straight from the
/// socket's bytes, with no event-loop pipeline, promise or task between them.
///
/// The benchmark runs on the cores it measures the server on, so what the client takes the server
/// does not have: the SwiftNIO client (``BenchConnection``, `--client nio`) takes about 60 µs of
/// CPU a page request, this loop about a quarter of that. It asks what ``Client/journey(recorder:)``
/// asks (``JourneyScript/requests(force:service:)``), in the same order, and counts a journey only when its
/// confirmation page shows a reference. Its connections are kept from one phase to the next, as
/// the burst's are; in the burst each connection sends whichever filled journey is next.
///
/// Not thread-safe: one phase runs at a time, on a thread of its own.
final class LoopClient: @unchecked Sendable {
    typealias Cookies = [(name: String, value: String)]

    /// One connection: its socket, the cookies of the person on it, where they are in the steps
    /// and what has come back.
    private struct Connection {
        let socket: Int32
        var step = 0
        var cookies: Cookies = []
        var output: [UInt8] = []
        var written = 0
        var input: [UInt8] = []
        var sentAt: UInt64 = 0
        var waitsToWrite = false
        /// Journeys started in the current phase.
        var started = 0
        /// The number of the journey on this connection, unique across connections and phases.
        var journey = 0
    }

    /// What one phase asks: its steps and where their times go; what to keep of a round of them
    /// that ended (`succeeded` or not); and whether a connection starts another round, given
    /// the cookies to start it with.
    private struct Phase {
        let steps: [JourneyRequest]
        let recorder: Recorder?
        let ended: @Sendable (_ connection: inout Connection, _ succeeded: Bool) -> Void
        let next: @Sendable (_ connection: inout Connection) -> Bool
    }

    private let journey: JourneyRequests
    private let host: String
    private let port: UInt16
    private var connections: [Connection] = []
    /// Journeys begun, for numbering the next.
    private var journeysBegun = 0
    /// Journeys filled to check your answers, in the order they were filled, waiting for the
    /// burst: a journey is its cookies, so any connection can send it.
    private var filled: [Cookies] = []

    init(baseURL: String, force: String, service: String, script: JourneyScript) throws {
        let address = try BenchAddress(baseURL)
        // `inet_pton` reads numbers only.
        host = address.host == "localhost" ? "127.0.0.1" : address.host
        port = UInt16(address.port)
        journey = script.requests(force: force, service: service)
    }

    deinit {
        for connection in connections { close(connection.socket) }
    }

    /// Opens `count` connections to the server.
    func connect(_ count: Int) throws {
        for _ in 0..<count { connections.append(Connection(socket: try connect())) }
    }

    /// Whole journeys on every connection until `seconds` have passed, each finishing the one it
    /// is on; pages and submissions timed into `recorder`.
    func journeys(seconds: Double, recorder: Recorder) async throws {
        let deadline = Self.now() + UInt64(seconds * 1e9)
        try await run(
            Phase(
                steps: journey.all, recorder: recorder,
                ended: { _, succeeded in if succeeded { recorder.finishedJourney() } },
                next: { connection in
                    connection.cookies = []
                    return Self.now() < deadline
                }))
    }

    /// `perConnection` journeys on each connection filled to check your answers, untimed, kept to
    /// be sent by ``burst(recorder:)``; returns how many were filled.
    func fill(perConnection: Int) async throws -> Int {
        filled = []
        try await run(
            Phase(
                steps: journey.pages, recorder: nil,
                ended: { [self] connection, succeeded in if succeeded { filled.append(connection.cookies) } },
                next: { connection in
                    connection.cookies = []
                    return connection.started < perConnection
                }))
        return filled.count
    }

    /// Sends every filled journey, all connections at once, each taking the next unsent journey, in
    /// the order they were filled, whenever its last is answered (whichever connection filled it),
    /// so that no connection sits idle while another still has several to send; returns the time
    /// from the first request to the last answer.
    func burst(recorder: Recorder) async throws -> Duration {
        filled.reverse()
        let started = ContinuousClock.now
        try await run(
            Phase(
                steps: [journey.submission], recorder: recorder, ended: { _, _ in },
                next: { [self] connection in
                    guard let next = filled.popLast() else { return false }
                    connection.cookies = next
                    return true
                }))
        return ContinuousClock.now - started
    }

    /// Runs a phase on a thread of its own, so that no event loop is held meanwhile.
    private func run(_ phase: Phase) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [self] in
                do {
                    try loop(phase)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "bench-loop"
            thread.start()
        }
    }

    private func loop(_ phase: Phase) throws {
        let poll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard poll >= 0 else { throw BenchError(message: "epoll_create1 failed: errno \(errno)") }
        defer { close(poll) }
        var active = 0
        for index in connections.indices {
            connections[index].started = 0
            connections[index].step = 0
            guard phase.next(&connections[index]) else { continue }
            connections[index].journey = beginJourney()
            guard watch(poll, EPOLL_CTL_ADD, connections[index].socket, index: index, writable: false) else {
                throw BenchError(message: "epoll_ctl failed: errno \(errno)")
            }
            connections[index].started = 1
            active += 1
            send(&connections[index], phase.steps, poll: poll, index: index)
        }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while active > 0 {
            let count = epoll_wait(poll, &events, Int32(events.count), 1000)
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError(message: "epoll_wait failed: errno \(errno)")
            }
            // A response is timed to when the loop heard of it, not to when its turn in this
            // round came: the loop's own work on the others is not the server's time.
            let heard = Self.now()
            for event in events.prefix(Int(count)) {
                let index = Int(event.data.u64)
                if event.events & EPOLLOUT.rawValue != 0 { flush(&connections[index], poll: poll, index: index) }
                guard event.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 else { continue }
                let read = chunk.withUnsafeMutableBytes { Glibc.read(connections[index].socket, $0.baseAddress, $0.count) }
                if read < 0, errno == EAGAIN || errno == EINTR { continue }
                guard read > 0 else {
                    phase.recorder?.failed("the server closed the connection")
                    epoll_ctl(poll, EPOLL_CTL_DEL, connections[index].socket, nil)
                    active -= 1
                    continue
                }
                connections[index].input.append(contentsOf: chunk[0..<read])
                guard let response = Self.parse(connections[index].input) else { continue }
                let elapsed = heard - connections[index].sentAt
                connections[index].input.removeFirst(response.length)
                if handle(response, elapsed: elapsed, connection: &connections[index], phase) {
                    send(&connections[index], phase.steps, poll: poll, index: index)
                } else {
                    epoll_ctl(poll, EPOLL_CTL_DEL, connections[index].socket, nil)
                    active -= 1
                }
            }
        }
    }

    private func beginJourney() -> Int {
        journeysBegun += 1
        return journeysBegun
    }

    /// Asks `epoll` for a socket's answers, and for room to write when `writable`.
    @discardableResult
    private func watch(_ poll: Int32, _ operation: Int32, _ socket: Int32, index: Int, writable: Bool) -> Bool {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = UInt64(index)
        return epoll_ctl(poll, operation, socket, &event) == 0
    }

    /// Records a response and moves its connection on; false when the connection stops.
    private func handle(_ response: Response, elapsed: UInt64, connection: inout Connection, _ phase: Phase) -> Bool {
        let step = phase.steps[connection.step]
        for cookie in response.cookies {
            if let index = connection.cookies.firstIndex(where: { $0.name == cookie.name }) {
                connection.cookies[index].value = cookie.value
            } else {
                connection.cookies.append(cookie)
            }
        }
        var failure = step.problem(status: response.status)
        if failure == nil, step.kind == .confirmation, !response.showsReference {
            failure = "the confirmation page showed no reference"
        }
        if let failure {
            phase.recorder?.failed(failure)
        } else {
            phase.recorder?.record(step, Double(elapsed) / 1e6)
        }
        if failure == nil, connection.step + 1 < phase.steps.count {
            connection.step += 1
            return true
        }
        phase.ended(&connection, failure == nil)
        guard !response.closes, phase.next(&connection) else { return false }
        connection.journey = beginJourney()
        connection.step = 0
        connection.started += 1
        return true
    }

    /// Writes the connection's next request.
    private func send(_ connection: inout Connection, _ steps: [JourneyRequest], poll: Int32, index: Int) {
        let step = steps[connection.step]
        var head = "\(step.method) \(step.path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        if !connection.cookies.isEmpty {
            head += "Cookie: " + connection.cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") + "\r\n"
        }
        let token = connection.cookies.first { $0.name == "peel_csrf" }?.value ?? ""
        let body = step.body(csrf: token, journey: connection.journey) ?? ""
        if step.fields != nil {
            head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        connection.output = Array((head + "\r\n" + body).utf8)
        connection.written = 0
        connection.sentAt = Self.now()
        flush(&connection, poll: poll, index: index)
    }

    /// Writes what the socket takes; asks to hear when it can take more, if anything is left.
    private func flush(_ connection: inout Connection, poll: Int32, index: Int) {
        while connection.written < connection.output.count {
            let written = connection.output.withUnsafeBytes {
                // `send` with MSG_NOSIGNAL: a connection the server closed fails the write rather
                // than ending the benchmark with SIGPIPE.
                Glibc.send(connection.socket, $0.baseAddress! + connection.written, $0.count - connection.written, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                connection.written += written
                continue
            }
            if errno == EINTR { continue }
            if errno == EAGAIN {
                watch(poll, EPOLL_CTL_MOD, connection.socket, index: index, writable: true)
                connection.waitsToWrite = true
                return
            }
            // A failed write: the read that follows sees the connection closed.
            return
        }
        if connection.waitsToWrite {
            watch(poll, EPOLL_CTL_MOD, connection.socket, index: index, writable: false)
            connection.waitsToWrite = false
        }
    }

    private func connect() throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw BenchError(message: "socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(socket)
            throw BenchError(message: "the benchmark's loop client needs an IPv4 address, not \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw BenchError(message: "could not connect to \(host):\(port): errno \(errno)")
        }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        return socket
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// What the client keeps of a response.
    struct Response {
        /// Bytes of the input the response took, head and body.
        var length: Int
        var status: Int
        var cookies: Cookies
        var closes: Bool
        var showsReference: Bool
    }

    private static let referenceMarker = Array(Client.referenceMarker.utf8)

    /// The first whole response in `bytes`, or nil when more is still to come. Bodies come with
    /// a `Content-Length` or chunked. The head is read as bytes: only a cookie becomes a string.
    static func parse(_ bytes: [UInt8]) -> Response? {
        guard let headEnd = find(crlfcrlf, in: bytes, from: 0) else { return nil }
        // "HTTP/1.1 200 OK": the status is the three digits after the first space.
        guard let space = bytes[0..<headEnd].firstIndex(of: 32), space + 3 < headEnd else { return nil }
        let status = bytes[(space + 1)...(space + 3)].reduce(0) { $0 * 10 + Int($1) - 48 }
        var length = 0
        var chunked = false
        var closes = false
        var cookies: Cookies = []
        var line = (find(crlf, in: bytes, from: 0) ?? headEnd) + 2
        while line < headEnd {
            let lineEnd = find(crlf, in: bytes, from: line) ?? headEnd
            if let colon = bytes[line..<lineEnd].firstIndex(of: 58) {
                var value = colon + 1
                while value < lineEnd, bytes[value] == 32 { value += 1 }
                let name = line..<colon
                if matches(bytes, name, "content-length") {
                    length = bytes[value..<lineEnd].reduce(0) { $0 * 10 + Int($1) - 48 }
                } else if matches(bytes, name, "transfer-encoding") {
                    chunked = find(Array("chunked".utf8), in: bytes[value..<lineEnd], from: value) != nil
                } else if matches(bytes, name, "connection") {
                    closes = matches(bytes, value..<lineEnd, "close")
                } else if matches(bytes, name, "set-cookie") {
                    let pairEnd = bytes[value..<lineEnd].firstIndex(of: 59) ?? lineEnd
                    if let equals = bytes[value..<pairEnd].firstIndex(of: 61) {
                        cookies.append(
                            (String(decoding: bytes[value..<equals], as: UTF8.self),
                             String(decoding: bytes[(equals + 1)..<pairEnd], as: UTF8.self)))
                    }
                }
            }
            line = lineEnd + 2
        }
        let bodyStart = headEnd + 4
        let body: Range<Int>
        let end: Int
        if chunked {
            var position = bodyStart
            while true {
                guard let lineEnd = find(crlf, in: bytes, from: position) else { return nil }
                var size = 0
                for byte in bytes[position..<lineEnd] {
                    guard let digit = hexDigit(byte) else { break }
                    size = size * 16 + digit
                }
                let dataStart = lineEnd + 2
                guard bytes.count >= dataStart + size + 2 else { return nil }
                position = dataStart + size + 2
                // No trailers are expected: the last chunk's line ends the body.
                if size == 0 { break }
            }
            body = bodyStart..<position
            end = position
        } else {
            guard bytes.count >= bodyStart + length else { return nil }
            body = bodyStart..<(bodyStart + length)
            end = bodyStart + length
        }
        let showsReference = find(referenceMarker, in: bytes[body], from: body.lowerBound) != nil
        return Response(length: end, status: status, cookies: cookies, closes: closes, showsReference: showsReference)
    }

    private static let crlf: [UInt8] = [13, 10]
    private static let crlfcrlf: [UInt8] = [13, 10, 13, 10]

    /// Whether `bytes[range]` is `lowercase`, ignoring ASCII case.
    private static func matches(_ bytes: [UInt8], _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(bytes[range], expected).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
        }
    }

    private static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: Int(byte - 48)
        case 97...102: Int(byte - 87)
        case 65...70: Int(byte - 55)
        default: nil
        }
    }

    /// Where `needle` first starts in `haystack` at or after `from`.
    static func find<C: RandomAccessCollection<UInt8>>(_ needle: [UInt8], in haystack: C, from: C.Index) -> C.Index?
    where C.Index == Int {
        guard let first = needle.first, haystack.endIndex - from >= needle.count else { return nil }
        var index = from
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
#else
/// Without Linux's `epoll` there is no loop client: `--client nio` is the benchmark's client here.
final class LoopClient: Sendable {
    init(baseURL: String, force: String, service: String, script: JourneyScript) throws {
        throw BenchError(message: "the loop client needs Linux's epoll; use --client nio")
    }

    func connect(_ count: Int) throws {}
    func journeys(seconds: Double, recorder: Recorder) async throws {}
    func fill(perConnection: Int) async throws -> Int { 0 }
    func burst(recorder: Recorder) async throws -> Duration { .zero }
}
#endif
