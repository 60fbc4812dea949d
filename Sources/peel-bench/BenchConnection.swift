import NIOCore
import NIOHTTP1
import NIOPosix

/// What the benchmark keeps of a response: its status and the cookies it set. The body is read
/// and dropped.
struct BenchResponse: Sendable {
    let status: Int
    let setCookies: [String]
    /// The body, when the request asked to keep it.
    var body: String? = nil
}

/// A kept-alive HTTP/1.1 connection that sends one request at a time, on SwiftNIO, so that the
/// simulated people cost the machine as little as possible of the CPU the server is measured on.
final class BenchConnection: Sendable {
    private let channel: any Channel
    private let collector: NIOLoopBound<ResponseCollector>
    private let host: String

    private init(channel: any Channel, collector: NIOLoopBound<ResponseCollector>, host: String) {
        self.channel = channel
        self.collector = collector
        self.host = host
    }

    /// Connects to `base`, an `http://HOST:PORT` address.
    static func connect(to base: String) async throws -> BenchConnection {
        let address = try BenchAddress(base)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: address.host, port: address.port).get()
        let collector = try await channel.pipeline.handler(type: ResponseCollector.self).map {
            NIOLoopBound($0, eventLoop: channel.eventLoop)
        }.get()
        return BenchConnection(channel: channel, collector: collector, host: address.authority)
    }

    var isActive: Bool { channel.isActive }

    func send(method: String, path: String, headers: [(String, String)], body: String?, keepBody: Bool = false) async throws
        -> BenchResponse
    {
        let promise = channel.eventLoop.makePromise(of: BenchResponse.self)
        let host = host
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "Host", value: host)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        var buffer: ByteBuffer?
        if let body {
            buffer = ByteBuffer(string: body)
            head.headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        }
        let request = head
        let payload = buffer
        channel.eventLoop.execute { [collector, channel] in
            // A connection the server closed before this request (a killed server) answers
            // nothing and is never inactive again: fail at once rather than wait for ever.
            guard channel.isActive else {
                promise.fail(BenchError(message: "the server closed the connection"))
                return
            }
            collector.value.pending = promise
            collector.value.keepBody = keepBody
            channel.write(HTTPClientRequestPart.head(request), promise: nil)
            if let payload { channel.write(HTTPClientRequestPart.body(.byteBuffer(payload)), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
                collector.value.pending?.fail(error)
                collector.value.pending = nil
            }
        }
        return try await promise.futureResult.get()
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Collects one response at a time and completes the request's promise at its end.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var pending: EventLoopPromise<BenchResponse>?
    var keepBody = false
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            if keepBody { body.writeBuffer(&part) }
        case .end:
            guard let head, let pending else { return }
            self.head = nil
            self.pending = nil
            pending.succeed(
                BenchResponse(
                    status: Int(head.status.code), setCookies: head.headers["Set-Cookie"],
                    body: keepBody ? String(buffer: body) : nil))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pending?.fail(error)
        pending = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.fail(BenchError(message: "the server closed the connection"))
        pending = nil
    }
}

/// The host and port of a benchmark's `http://HOST:PORT` base address, as both clients connect to it.
struct BenchAddress {
    let host: String
    let port: Int

    init(_ base: String) throws {
        let rest = base.hasPrefix("http://") ? base.dropFirst("http://".count) : base[...]
        let parts = rest.split(separator: "/").first.map { $0.split(separator: ":") } ?? []
        guard parts.count == 2, let port = Int(parts[1]), (1...65_535).contains(port) else {
            throw BenchError(message: "base URL must be http://HOST:PORT")
        }
        host = String(parts[0])
        self.port = port
    }

    /// `HOST:PORT`, as a request's `Host` header gives it.
    var authority: String { "\(host):\(port)" }
}
