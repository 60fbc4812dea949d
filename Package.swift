// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "peel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "peel", targets: ["peel"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "PeelCore",
            swiftSettings: strict
        ),
        .target(
            name: "PeelForms",
            dependencies: ["PeelCore"],
            resources: [.copy("Catalogue")],
            swiftSettings: strict
        ),
        .target(
            name: "PeelAuth",
            dependencies: [
                "PeelCore",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("CommonPasswords.txt")],
            swiftSettings: strict
        ),
        .target(
            name: "PeelHub",
            dependencies: [
                "PeelCore", "PeelForms", "PeelAuth",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PeelNotify",
            dependencies: ["PeelCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(name: "CPeelSQLite"),
        .target(name: "CPeelBenchPoll"),
        .target(
            name: "PeelStore",
            dependencies: [
                "CPeelSQLite",
                "PeelCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PeelPoliceData",
            dependencies: ["PeelCore"],
            swiftSettings: strict
        ),
        .target(
            name: "PeelWeb",
            dependencies: [
                "PeelCore", "PeelForms", "PeelAuth", "PeelHub", "PeelPoliceData",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .target(
            name: "PeelApp",
            dependencies: [
                "PeelCore", "PeelForms", "PeelNotify", "PeelStore", "PeelWeb", "PeelAuth", "PeelHub", "PeelPoliceData",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "peel",
            dependencies: [
                "PeelApp", "PeelCore", "PeelForms", "PeelStore", "PeelAuth", "PeelWeb", "PeelHub", "PeelPoliceData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "peel-bench",
            dependencies: [
                "CPeelBenchPoll", "PeelCore", "PeelForms", "PeelStore", "PeelAuth", "PeelHub", "PeelPoliceData",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PeelTestSupport",
            dependencies: [
                "PeelCore", "PeelStore", "PeelPoliceData",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PeelTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelHubTests",
            dependencies: ["PeelCore", "PeelForms", "PeelAuth", "PeelHub", "PeelTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelAuthTests",
            dependencies: ["PeelCore", "PeelAuth"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelCoreTests",
            dependencies: ["PeelCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelFormsTests",
            dependencies: ["PeelCore", "PeelForms"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelNotifyTests",
            dependencies: [
                "PeelCore", "PeelNotify", "PeelStore", "PeelApp", "PeelTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelPoliceDataTests",
            dependencies: ["PeelCore", "PeelPoliceData", "PeelTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelStoreTests",
            dependencies: [
                "PeelCore", "PeelStore", "PeelTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeelWebTests",
            dependencies: [
                "PeelCore", "PeelForms", "PeelStore", "PeelWeb", "PeelApp", "PeelAuth", "PeelHub", "PeelNotify", "PeelTestSupport", "PeelPoliceData",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
    ]
)
