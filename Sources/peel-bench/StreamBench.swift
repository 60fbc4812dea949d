import Foundation
import PeelCore
import PeelForms

/// A steady stream of people completing "report a crime", for the crash test: each reference a
/// confirmation page shows is appended, one a line, to `--references`. A client whose server
/// went away waits and connects again, and starts a new journey.
enum StreamBench {
    static func run(arguments: Arguments) async throws {
        let catalogue = try ServiceCatalogue.bundled()
        guard let definition = catalogue.service(arguments.service) else { throw BenchError(message: "no service \(arguments.service)") }
        let script = JourneyScript.make(definition)
        _ = FileManager.default.createFile(atPath: arguments.references, contents: nil)
        guard let file = FileHandle(forWritingAtPath: arguments.references) else {
            throw BenchError(message: "cannot write \(arguments.references)")
        }
        let sink = ReferenceSink(file: file)
        let deadline = Date() + arguments.seconds
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<arguments.clients {
                group.addTask {
                    let recorder = Recorder()
                    while Date() < deadline {
                        guard let connection = try? await BenchConnection.connect(to: arguments.baseURL) else {
                            try? await Task.sleep(for: .milliseconds(200))
                            continue
                        }
                        let client = Client(connection: connection, script: script, force: arguments.force, service: definition.id)
                        while Date() < deadline, connection.isActive {
                            do {
                                if let reference = try await client.journey(recorder: recorder) {
                                    await sink.write(reference)
                                }
                            } catch {
                                await sink.failed()
                                break
                            }
                        }
                        connection.close()
                    }
                }
            }
        }
        let (written, failures) = await sink.counts()
        try file.close()
        print("stream: \(written) references shown, \(failures) journeys broken off")
    }
}

actor ReferenceSink {
    private let file: FileHandle
    private var written = 0
    private var failures = 0

    init(file: FileHandle) { self.file = file }

    func write(_ reference: String) {
        file.write(Data((reference + "\n").utf8))
        written += 1
    }

    func failed() { failures += 1 }

    func counts() -> (Int, Int) { (written, failures) }
}
