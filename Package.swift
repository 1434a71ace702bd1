// swift-tools-version:6.0
import Foundation
import PackageDescription

// The numeric kernels use AVX2 and FMA registers (every x86-64 machine psgan targets has them).
#if arch(x86_64)
let kernelFlags = ["-target-cpu", "haswell"]
#else
let kernelFlags: [String] = []
#endif

let package = Package(
    name: "psgan",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PSGANKit", targets: ["PSGANKit"]),
        .executable(name: "psgan", targets: ["psgan"]),
        // The studio has a product of its own, so that `swift run psgan` does not build the HTTP server.
        .executable(name: "psgan-studio", targets: ["psgan-studio"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libswresample libavutil",
            providers: [.apt(["libavcodec-dev", "libavformat-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Compiled for the baseline CPU: tells, before any kernel runs, whether this one can run them.
        .target(name: "CPUFeatures"),
        .target(
            name: "PSGANKit",
            dependencies: ["CFFmpeg", "COpenBLAS"],
            swiftSettings: [.swiftLanguageMode(.v5), .unsafeFlags(kernelFlags), .unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .executableTarget(
            name: "psgan",
            dependencies: [
                "PSGANKit",
                "CPUFeatures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "PSGANStudio",
            dependencies: ["PSGANKit", .product(name: "Hummingbird", package: "hummingbird")],
            resources: [.copy("Page")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "psgan-studio",
            dependencies: [
                "PSGANStudio", "CPUFeatures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "PSGANTestSupport",
            path: "Tests/PSGANTestSupport",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "PSGANKitTests",
            dependencies: ["PSGANKit", "PSGANTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "PSGANStudioTests",
            dependencies: ["PSGANStudio", "PSGANKit", "PSGANTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "psganCLITests",
            dependencies: ["psgan", "PSGANKit", "PSGANTestSupport"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)

// The fuzz targets (Fuzz/), only when PSGAN_FUZZ is set: libFuzzer supplies their main, so they
// build with `-sanitize=fuzzer` alone (scripts/fuzz does it).
if ProcessInfo.processInfo.environment["PSGAN_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "psgan-fuzz",
        dependencies: ["PSGANKit"],
        path: "Fuzz/Sources/psgan-fuzz",
        swiftSettings: [.swiftLanguageMode(.v5), .unsafeFlags(["-parse-as-library"])]
    ))
}
