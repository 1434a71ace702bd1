import Foundation
import Testing
@testable import PSGANKit

/// `psgan bench`'s stages as the parent passes them to its children, and a whole render into each
/// kind of output it measures.
@Suite struct BenchmarkStageTests {
    @Test func stagesReadBackWhatTheyWrite() throws {
        let stages: [BenchmarkStage] = [.generator(resolution: 256), .render(resolution: 1024, codec: .png),
                                        .render(resolution: 64, codec: .h264), .render(resolution: 32, codec: .vp9, alpha: true),
                                        .encoder(.ffv1),
                                        .upscaler(.builtIn("anime-x4"))]
        for stage in stages {
            #expect(try BenchmarkStage(parsing: stage.description) == stage, "\(stage)")
        }
        #expect(BenchmarkStage.render(resolution: 32, codec: .ffv1).description == "render:32:ffv1")
        #expect(BenchmarkStage.render(resolution: 32, codec: .prores, alpha: true).description == "render:32:prores+alpha")
        // Without a codec a render is H.264 (what the stage meant before it took one).
        #expect(try BenchmarkStage(parsing: "render:256") == .render(resolution: 256, codec: .h264))
        #expect(throws: PSGANError.self) { try BenchmarkStage(parsing: "render:256:gif") }
        #expect(throws: PSGANError.self) { try BenchmarkStage(parsing: "render:x:png") }
    }

    @Test(arguments: [(VideoCodec.png, false), (.h264, false), (.ffv1, false), (.png, true), (.vp9, true), (.prores, true)])
    func aWholeRenderIntoEachCodec(codec: VideoCodec, alpha: Bool) throws {
        var settings = BenchmarkSettings()
        settings.channels = "4:8,8:8,16:8"
        settings.keypoints = 18
        settings.latentDim = 8
        settings.renderFrames = 3
        let result = try Benchmark.run(.render(resolution: 16, codec: codec, alpha: alpha), settings: settings)
        #expect(result.frames == 3 && result.stage == "render")
        #expect(result.configuration.contains(codec.rawValue + (alpha ? "+alpha" : ",")))
        #expect((result.generateOnlySeconds ?? 0) > 0 && result.seconds > 0)
    }
}
