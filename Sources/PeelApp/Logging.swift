import Foundation
import Logging

/// Peel's log handler: one line per entry, as JSON (for log collectors: time, level, label,
/// message and every metadata key, such as the request id, force id or job id, as its own field)
/// or as text (time, level, label, metadata as `key=value` in key order, source and message).
///
/// Metadata is kept as given and written out only when a line is logged: the request id and
/// force id are set on every request's logger, and most requests log nothing at the default
/// level.
package struct PeelLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    let label: String
    let format: PeelConfiguration.LogFormat
    let write: @Sendable (String) -> Void

    package init(
        label: String, format: PeelConfiguration.LogFormat, write: @escaping @Sendable (String) -> Void = PeelLogHandler.standardOutput
    ) {
        self.label = label
        self.format = format
        self.write = write
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata { fields[key] = "\(value)" }
        for (key, value) in event.metadata ?? [:] { fields[key] = "\(value)" }
        switch format {
        case .text:
            let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            write("\(Self.timestamp()) \(event.level) \(label):\(pairs.isEmpty ? "" : " " + pairs) [\(event.source)] \(event.message)")
        case .json:
            fields["time"] = Self.timestamp()
            fields["level"] = event.level.rawValue
            fields["label"] = label
            fields["message"] = "\(event.message)"
            guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]),
                let line = String(data: data, encoding: .utf8)
            else { return }
            write(line)
        }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// Each line goes through C's `stdout`, as text written with `print` does, and is flushed at
    /// once: a log line never overtakes what was printed before it, and a reader of a redirected
    /// output (a script waiting for a line) sees both as they happen.
    package static let standardOutput: @Sendable (String) -> Void = { line in
        print(line)
        fflush(nil)
    }
}

/// Sets up process-wide logging once, from the configuration's level and format.
package enum PeelLogging {
    package static func bootstrap(level: Logger.Level, format: PeelConfiguration.LogFormat) {
        LoggingSystem.bootstrap { label in
            var handler = PeelLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }
}
