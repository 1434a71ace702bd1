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

    /// Frames 0..<10 cycle through four poses; frame 9 moves keypoint 0 by less than a pixel from
    /// frame 1 (same condition maps), frame 5 by a whole pixel (new maps).
    static func loopedPoses() -> [[Keypoint]] {
        let cycle: [[Keypoint]] = (0..<4).map { f in
            (0..<18).map { k in
                let column = Double((f * 3 + k) % 8)
                return Keypoint(x: column + 0.25, y: Double(k % 8), confidence: 1)
            }
        }
        var poses = (0..<10).map { cycle[$0 % 4] }
        poses[9][0].x += 0.5
        poses[5][0].x = (poses[5][0].x + 1).truncatingRemainder(dividingBy: 8)
        return poses
    }

    @Test func repeatedInputsAreGeneratedOnceAndGiveTheSameFrames() throws {
        let (renderer, _, track) = try Self.setup()
        let poses = Self.loopedPoses()
        var seen: [Int: RGBImage] = [:]
        try renderer.render(poses: poses, track: track, frames: 0..<10, sink: { seen[$0] = $1 })
        // Generated: frames 0, 1, 2, 3 and 5 (the moved keypoint); the other five repeat one of them.
        #expect(renderer.reusedFrames == 5)
        let direct = Renderer(model: renderer.model)
        for index in 0..<10 {
            #expect(seen[index] == direct.frame(keypoints: poses[index], latent: track.latent(at: index)), "frame \(index)")
        }
        #expect(seen[5] != seen[1])
    }

    @Test func aRepeatedPoseWithAnotherLatentIsGeneratedAgain() throws {
        let (renderer, _, _) = try Self.setup()
        let poses = Self.loopedPoses()
        let track = try CharacterTrack(keyframes: [(Character.seed(1), 0), (Character.seed(2), 9)], latentDim: 4, interpolation: .slerp)
        var seen: [Int: RGBImage] = [:]
        try renderer.render(poses: poses, track: track, frames: 0..<10, sink: { seen[$0] = $1 })
        #expect(renderer.reusedFrames == 0)
        #expect(seen[4] == renderer.frame(keypoints: poses[4], latent: track.latent(at: 4)))
        #expect(seen[4] != seen[0])
    }

    @Test func theMemoKeepsItsBudgetFirstInFirstOut() {
        let memo = FrameMemo<Int, [UInt8]>(budget: 3) { $0.count }
        var made: [Int] = []
        for key in [1, 2, 3, 1, 4, 1, 4, 4] {
            let value = memo.value(for: key) { made.append(key); return [UInt8(key)] }
            #expect(value == [UInt8(key)])
        }
        // 1 is found once; 4 evicts 1 (the oldest), so 1 is made again, evicting 2; 4 is then found twice.
        #expect(made == [1, 2, 3, 4, 1])
        #expect(memo.hits == 3)
        let big = FrameMemo<Int, [UInt8]>(budget: 1) { $0.count }
        _ = big.value(for: 7) { [1, 2, 3] }
        #expect(big.value(for: 7) { [] } == [1, 2, 3], "an entry over the budget on its own is still kept")
    }
}
