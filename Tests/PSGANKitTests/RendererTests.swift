import Foundation
import Testing
@testable import PSGANKit

/// The render loop: frames in order, overlapped sink, errors stop it.
@Suite struct RendererTests {
    static func setup() throws -> (Renderer, [[Keypoint]], CharacterTrack) {
        let config = GeneratorConfig(resolution: 8, latentDim: 4, keypoints: 18, layout: "coco18", channels: [4: 4, 8: 4])
        let model = try PSGANModel.random(config: config, seed: 9)
        let poses = (0..<10).map { f in (0..<18).map { Keypoint(x: Double((f + $0) % 8), y: Double($0 % 8), confidence: 1) } }
        return (Renderer(model: model), poses, CharacterTrack(latent: SeededNormals.latent(seed: 1, dimension: 4)))
    }

    @Test func framesArriveInOrderAndEqualTheGeneratorsOwn() throws {
        let (renderer, poses, track) = try Self.setup()
        var seen: [(Int, RGBImage)] = []
        var reported: [Int] = []
        try renderer.render(poses: poses, track: track, frames: 2..<9, sink: { index, image in
            usleep(2_000) // a slow encoder: the generator runs ahead within the queue depth
            seen.append((index, image))
        }, progress: { reported.append($0.completed) })
        #expect(seen.map(\.0) == Array(2..<9))
        #expect(reported == Array(1...7))
        let direct = Renderer(model: renderer.model)
        for (index, image) in seen {
            #expect(image == direct.frame(keypoints: poses[index], latent: track.latent(at: index)))
        }
    }

    struct Full: Error {}

    @Test func aFailingSinkStopsTheRenderAndItsErrorComesBack() throws {
        let (renderer, poses, track) = try Self.setup()
        var calls = 0
        #expect(throws: Full.self) {
            try renderer.render(poses: poses, track: track, frames: 0..<10, sink: { index, _ in
                calls += 1
                if index == 3 { throw Full() }
            })
        }
        #expect(calls == 4)
    }
}
