import Foundation
import PSGANKit
import Testing

/// How an upscale setting is read: the same for the CLI and batch manifests.
@Suite struct UpscalerSpecTests {
    static let names = ["srgan-x2", "anime-x4"]

    @Test func readsNoneNamesAndPaths() throws {
        #expect(try UpscalerSpec("none", builtInNames: Self.names) == .none)
        #expect(try UpscalerSpec("anime-x4", builtInNames: Self.names) == .builtIn("anime-x4"))
        #expect(try UpscalerSpec("weights/mine.safetensors", builtInNames: Self.names) == .file("weights/mine.safetensors"))
        #expect(try UpscalerSpec("mine.safetensors", builtInNames: Self.names) == .file("mine.safetensors"))
        #expect(try UpscalerSpec("./srgan-x2", builtInNames: Self.names) == .file("./srgan-x2"))
    }

    @Test func unknownNamesListTheChoices() {
        do {
            _ = try UpscalerSpec("esrgan", builtInNames: Self.names)
            Issue.record("'esrgan' was accepted")
        } catch {
            #expect("\(error)" == "unknown upscaler 'esrgan': use none, srgan-x2, anime-x4, or a .safetensors file path")
        }
        // A name is built in only where the caller says so.
        expectError(.model) { try UpscalerSpec("anime-x4", builtInNames: []) }
    }
}
