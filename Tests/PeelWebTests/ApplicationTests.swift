import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PeelApp
import PeelCore
import PeelStore
import PeelTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Configuration")
struct ConfigurationTests {
    @Test("with nothing set, Peel runs on SQLite in ./peel-data on port 8080 with demo content")
    func defaults() throws {
        let configuration = try PeelConfiguration.load(environment: [:], dotEnvFile: nil)
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./peel-data")
        #expect(configuration.database == .sqlite(path: FileManager.default.currentDirectoryPath + "/peel-data/peel.sqlite"))
        #expect(configuration.demo)
        #expect(configuration.role == .all)
        #expect(configuration.publicURL == "http://localhost:8080")
        #expect(!configuration.servedOverTLS)
        // One event loop a core, as SwiftNIO would make.
        #expect(configuration.eventLoops == System.coreCount)
        #expect(try PeelConfiguration.load(environment: ["PEEL_EVENT_LOOPS": "3"], dotEnvFile: nil).eventLoops == 3)
        // SQLite's writer asks to run ahead of the loops (decision 0043); 0 turns that off.
        #expect(configuration.writerNiceness == -10)
        #expect(try PeelConfiguration.load(environment: ["PEEL_WRITER_NICENESS": "0"], dotEnvFile: nil).writerNiceness == 0)
        #expect(configuration.summary.contains("writer_niceness=-10"))
    }

    @Test("on PostgreSQL, demo content is opt-in")
    func demoOptIn() throws {
        let url = "postgres://peel@db.internal:5432/peel"
        #expect(try !PeelConfiguration.load(environment: ["PEEL_DATABASE_URL": url], dotEnvFile: nil).demo)
        #expect(try PeelConfiguration.load(environment: ["PEEL_DATABASE_URL": url, "PEEL_DEMO": "yes"], dotEnvFile: nil).demo)
    }

    @Test("the command line beats the environment, which beats .env, which beats defaults")
    func precedence() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peel-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dotEnv = folder.appendingPathComponent(".env").path
        try """
            # local settings
            export PEEL_PORT=7000
            PEEL_HOST="0.0.0.0"
            PEEL_DEMO=false # no demo here
            PEEL_LOG_LEVEL='debug'
            """.write(toFile: dotEnv, atomically: true, encoding: .utf8)
        let configuration = try PeelConfiguration.load(
            commandLine: ["PEEL_PORT": "9000"],
            environment: ["PEEL_PORT": "8000", "PEEL_HOST": "10.0.0.1", "HOME": "/root"],
            dotEnvFile: dotEnv)
        #expect(configuration.port == 9000)
        #expect(configuration.host == "10.0.0.1")
        #expect(!configuration.demo)
        #expect(configuration.logLevel == .debug)
    }

    @Test("a bad value names the setting and what it should be", arguments: [
        (["PEEL_PORT": "eighty"], "PEEL_PORT must be a whole number from 1 to 65535, not 'eighty'"),
        (["PEEL_PORT": "70000"], "PEEL_PORT must be a whole number from 1 to 65535, not '70000'"),
        (["PEEL_DEMO": "maybe"], "PEEL_DEMO must be true or false, not 'maybe'"),
        (["PEEL_EVENT_LOOPS": "0"], "PEEL_EVENT_LOOPS must be a whole number from 1 to 256, not '0'"),
        (["PEEL_WRITER_NICENESS": "5"], "PEEL_WRITER_NICENESS must be a whole number from -20 to 0, not '5'"),
        (["PEEL_ROLE": "boss"], "PEEL_ROLE must be one of all, web, worker, not 'boss'"),
        (["PEEL_DATABASE_URL": "mysql://u@h/db"], "PEEL_DATABASE_URL has scheme 'mysql'; expected postgres://user:password@host:5432/database"),
        (["PEEL_DATABASE_URL": "postgres://host-only"], "PEEL_DATABASE_URL names no user; expected postgres://user:password@host:5432/database"),
        (["PEEL_DATABASE_SCHEMA": "x; drop"], "PEEL_DATABASE_SCHEMA must be a plain schema name (letters, digits, _), not 'x; drop'"),
    ])
    func badValues(values: [String: String], message: String) {
        #expect(throws: ConfigurationError(message)) {
            try PeelConfiguration.load(environment: values, dotEnvFile: nil)
        }
    }

    @Test("a malformed .env line is reported with its line number")
    func badDotEnv() {
        #expect(throws: ConfigurationError(".env line 2 is not KEY=value")) {
            try DotEnv.parse("PEEL_PORT=1\nnonsense\n")
        }
    }

    @Test("the summary for logs never contains the database password")
    func secretsNotLogged() throws {
        let configuration = try PeelConfiguration.load(
            environment: ["PEEL_DATABASE_URL": "postgres://peel:s3cret-pass@db.internal:5432/peel"], dotEnvFile: nil)
        #expect(!configuration.summary.contains("s3cret-pass"))
        #expect(configuration.summary.contains("postgres://peel:***@db.internal:5432/peel"))
    }
}

extension ConfigurationError: Equatable {
    package static func == (lhs: ConfigurationError, rhs: ConfigurationError) -> Bool { lhs.description == rhs.description }
}

@Suite("Start-up")
struct StartupTests {
    @Test("data survives a restart, and demo content is not seeded twice", arguments: TestEngine.all)
    func survivesRestart(engine: TestEngine) async throws {
        let scratch = try await ScratchDatabase.make(engine)
        defer { Task { await scratch.remove() } }
        let configuration = try testConfiguration(scratch)
        do {
            let first = try await buildApplication(configuration, logger: testLogger)
            try await first.test(.router) { client in
                let kent = try await client.execute(uri: "/kent/", method: .get)
                #expect(kent.text.contains("not on this site yet"))
            }
        }
        // Between runs, an administrator onboards Kent and changes the Met's model.
        try await withStore(of: scratch) { store in
            _ = try await store.forces.setOnboarding(ForceID("kent"), to: .full, at: Date())
            _ = try await store.forces.setOnboarding(ForceID("metropolitan"), to: .core, at: Date())
        }
        let second = try await buildApplication(configuration, logger: testLogger)
        try await second.test(.router) { client in
            let kent = try await client.execute(uri: "/kent/", method: .get).text
            #expect(kent.contains("Apply for a firearms or shotgun certificate"))
            let met = try await client.execute(uri: "/metropolitan/", method: .get).text
            #expect(!met.contains("firearms"))
            #expect(met.contains("We police London"))
        }
        await scratch.remove()
    }

    @Test("the app's worker runs jobs from the queue", arguments: TestEngine.all)
    func workerRunsJobs(engine: TestEngine) async throws {
        let scratch = try await ScratchDatabase.make(engine)
        let seen = Mutex<[String]>([])
        struct Probe: JobHandler {
            let kind = "probe"
            let seen: @Sendable (String) -> Void
            func run(_ job: ClaimedJob) async throws { seen(job.payload) }
        }
        let app = try await buildApplication(
            try testConfiguration(scratch), logger: testLogger,
            jobHandlers: [Probe { payload in seen.withLock { $0.append(payload) } }])
        try await app.test(.router) { _ in
            let id = try await {
                var result: JobID?
                try await withStore(of: scratch) { store in
                    result = try await store.jobs.enqueue(NewJob(kind: "probe", payload: "hello", runAt: Date()))
                }
                return result!
            }()
            var state: JobState?
            for _ in 0..<100 {
                try await withStore(of: scratch) { store in state = try await store.jobs.find(id)?.state }
                if state == .done { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(state == .done)
        }
        #expect(seen.withLock { $0 } == ["hello"])
        await scratch.remove()
    }

    @Test("a data folder that cannot be used gets one clear line")
    func badDataFolder() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("peel-file-\(UUID().uuidString)")
        try Data().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let onFile = try PeelConfiguration.load(commandLine: ["PEEL_DATA_DIR": file.path], environment: [:], dotEnvFile: nil)
        await #expect(throws: StartupError("the data folder \(file.path) is a file, not a folder. Choose another with --data or PEEL_DATA_DIR.")) {
            _ = try await openStore(onFile, logger: testLogger)
        }
        let unwritable = try PeelConfiguration.load(
            commandLine: ["PEEL_DATA_DIR": "/proc/peel-cannot-live-here"], environment: [:], dotEnvFile: nil)
        let error = await #expect(throws: StartupError.self) { _ = try await openStore(unwritable, logger: testLogger) }
        #expect(error?.description.hasPrefix("cannot create the data folder /proc/peel-cannot-live-here") == true)
    }

    @Test("an unreachable database gets one clear line")
    func unreachableDatabase() async throws {
        let configuration = try PeelConfiguration.load(
            environment: ["PEEL_DATABASE_URL": "postgres://peel:secret@127.0.0.1:1/peel"], dotEnvFile: nil)
        let error = await #expect(throws: DatabaseOpenError.self) { _ = try await openStore(configuration, logger: testLogger) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("cannot reach the database at postgres:postgres://peel:***@127.0.0.1:1/peel"))
        #expect(!message.contains("secret"))
    }

    @Test("an SQLite file that cannot be opened gets one clear line")
    func unopenableSQLite() async throws {
        let path = "/proc/peel-cannot-live-here/peel.sqlite"
        let error = await #expect(throws: DatabaseOpenError.self) {
            _ = try await Database.open(.sqlite(path: path), logger: testLogger)
        }
        #expect(error?.description.hasPrefix("cannot open the database at sqlite:\(path)") == true, "\(error.map(String.init(describing:)) ?? "")")
    }

    @Test("a port already in use gets one clear line")
    func portInUse() async throws {
        let (socket, port) = try bindLoopback()
        defer { close(socket) }
        let scratch = try await ScratchDatabase.make(.sqlite)
        let configuration = try testConfiguration(scratch, extra: ["PEEL_HOST": "127.0.0.1", "PEEL_PORT": String(port)])
        await #expect(throws: StartupError(
            "port \(port) on 127.0.0.1 is already in use. Stop the program using it, or choose another port with --port or PEEL_PORT.")) {
            try await serve(configuration, logger: testLogger)
        }
        await scratch.remove()
    }

    /// Holds a listening socket on a free loopback port.
    func bindLoopback() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw StartupError("could not bind a test socket") }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}

extension StartupError: Equatable {
    package static func == (lhs: StartupError, rhs: StartupError) -> Bool { lhs.description == rhs.description }
}

@Suite("Structured logs")
struct LoggingTests {
    @Test("JSON log lines carry the message, level and every metadata field")
    func jsonLines() throws {
        let lines = Mutex<[String]>([])
        var handler = PeelLogHandler(label: "peel", format: .json) { line in lines.withLock { $0.append(line) } }
        handler[metadataKey: "request_id"] = "abc123def456"
        let logger = Logger(label: "peel") { _ in handler }
        logger.info("request", metadata: ["force_id": "kent", "status": "200"])
        let line = try #require(lines.withLock { $0.first })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "request")
        #expect(object["level"] == "info")
        #expect(object["request_id"] == "abc123def456")
        #expect(object["force_id"] == "kent")
        #expect(object["status"] == "200")
        #expect(object["time"] != nil)
    }

    @Test("Text log lines carry the level, label, metadata in key order, and message; a later value of a key wins")
    func textLines() throws {
        let lines = Mutex<[String]>([])
        var handler = PeelLogHandler(label: "peel", format: .text) { line in lines.withLock { $0.append(line) } }
        handler[metadataKey: "request_id"] = "abc123def456"
        handler[metadataKey: "force_id"] = "essex"
        var logger = Logger(label: "peel") { _ in handler }
        logger[metadataKey: "force_id"] = "kent"
        logger.debug("not written at the info level")
        logger.warning("slow request", metadata: ["status": "200"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = try #require(written.first)
        #expect(line.hasSuffix(" warning peel: force_id=kent request_id=abc123def456 status=200 [PeelWebTests] slow request"))
        #expect(line.first?.isNumber == true)
    }
}
