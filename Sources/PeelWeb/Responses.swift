import Foundation
import HTTPTypes
import Hummingbird
import PeelCore

/// Every response Peel builds by hand goes through here: a body, its content type and, where it
/// matters, how long it may be cached.
extension Response {
    static func body(
        _ bytes: ByteBuffer, contentType: String, cacheControl: String?, status: HTTPResponse.Status = .ok
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if let cacheControl { headers[.cacheControl] = cacheControl }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: bytes))
    }

    static func text(
        _ text: String, contentType: String, cacheControl: String?, status: HTTPResponse.Status = .ok
    ) -> Response {
        body(ByteBuffer(string: text), contentType: contentType, cacheControl: cacheControl, status: status)
    }

    /// JSON with its keys in a stable order.
    static func json(
        _ value: some Encodable, cacheControl: String? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        body(
            ByteBuffer(bytes: try JSONEncoder.sorted.encode(value)), contentType: "application/json", cacheControl: cacheControl,
            status: status)
    }

    /// The same response with another status (a page re-shown with its errors answers 400).
    func with(status: HTTPResponse.Status) -> Response {
        var response = self
        response.status = status
        return response
    }
}
