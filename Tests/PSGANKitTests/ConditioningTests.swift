import Foundation
import Testing
@testable import PSGANKit

/// Condition maps and latents against hand-computed values.
@Suite struct ConditioningTests {
    /// The contract's pyramid, computed the long way: P_R, then literal 2x2 max pooling.
    func literalPyramid(_ keypoints: [Keypoint], resolution r: Int) -> [Int: [Float]] {
        var maps: [Int: [Float]] = [:]
        var full = [Float](repeating: -1, count: keypoints.count * r * r)
        for (k, p) in keypoints.enumerated() where p.confidence > 0 && p.x >= 0 && p.x < Double(r) && p.y >= 0 && p.y < Double(r) {
            full[k * r * r + Int(p.y.rounded(.down)) * r + Int(p.x.rounded(.down))] = 1
        }
        maps[r] = full
        var s = r
        while s > 4 {
            let half = s / 2
            let source = maps[s]!
            var pooled = [Float](repeating: 0, count: keypoints.count * half * half)
            for k in 0..<keypoints.count {
                for y in 0..<half {
                    for x in 0..<half {
                        let base = k * s * s
                        pooled[k * half * half + y * half + x] = max(source[base + 2 * y * s + 2 * x], source[base + 2 * y * s + 2 * x + 1],
                                                                     source[base + (2 * y + 1) * s + 2 * x], source[base + (2 * y + 1) * s + 2 * x + 1])
                    }
                }
            }
            maps[half] = pooled
            s = half
        }
        return maps
    }

    @Test func mapsEqualLiteralMaxPooling() {
        let keypoints = [
            Keypoint(x: 0, y: 0, confidence: 1),           // corner
            Keypoint(x: 31.999, y: 31.5, confidence: 0.2), // last pixel
            Keypoint(x: 32, y: 3, confidence: 1),          // just outside (x == R)
            Keypoint(x: -0.01, y: 3, confidence: 1),       // just outside
            Keypoint(x: 10.7, y: 20.2, confidence: 0),     // missing
            Keypoint(x: 17.5, y: 9.99, confidence: 1),
            Keypoint(x: .nan, y: 4, confidence: 1),        // never a crash
            Keypoint(x: 17.2, y: 9.1, confidence: 1),      // same pixel as another channel's
        ]
        let maps = ConditionMaps(keypoints: keypoints, resolution: 32)
        let truth = literalPyramid(keypoints, resolution: 32)
        for s in [4, 8, 16, 32] {
            #expect(maps.map(scale: s) == truth[s], "scale \(s)")
        }
        // Hand check: keypoint 5 at (17.5, 9.99) is pixel (17, 9); at scale 8 (factor 4) it is (4, 2).
        let p8 = maps.map(scale: 8)
        #expect(p8[5 * 64 + 2 * 8 + 4] == 1)
        #expect(p8[5 * 64 ..< 6 * 64].filter { $0 == 1 }.count == 1)
        #expect(maps.map(scale: 32)[2 * 1024 ..< 3 * 1024].allSatisfy { $0 == -1 })
    }

    @Test func splitMix64MatchesPublishedValues() {
        // SplitMix64's reference outputs for seed 0 (Vigna's splitmix64.c).
        var generator = SeededNormals(seed: 0)
        #expect(generator.nextBits() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.nextBits() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.nextBits() == 0x06C4_5D18_8009_454F)
    }

    @Test func boxMullerPairsByHand() {
        var bits = SeededNormals(seed: 42)
        let a = bits.nextBits(), b = bits.nextBits()
        let u1 = Double(a >> 11) * 0x1p-53, u2 = Double(b >> 11) * 0x1p-53
        let rho = (-2 * log(1 - u1)).squareRoot()
        let z = SeededNormals.latent(seed: 42, dimension: 3)
        #expect(z[0] == Float(rho * cos(2 * .pi * u2)))
        #expect(z[1] == Float(rho * sin(2 * .pi * u2)))
        // Odd L: the last value is the cosine of the next pair (its sine is dropped).
        #expect(Array(SeededNormals.latent(seed: 42, dimension: 4).prefix(3)) == z)
    }

    @Test func interpolationEndpointsAndMidpoint() {
        let a: [Float] = [1, 0], b: [Float] = [0, 1]
        #expect(LatentInterpolation.lerp.blend(a, b, t: 0.5) == [0.5, 0.5])
        let mid = LatentInterpolation.slerp.blend(a, b, t: 0.5)
        #expect(abs(mid[0] - Float(0.5.squareRoot())) < 1e-7 && abs(mid[1] - Float(0.5.squareRoot())) < 1e-7)
        #expect(LatentInterpolation.slerp.blend(a, b, t: 0) == a)
        // Parallel vectors fall back to lerp.
        #expect(LatentInterpolation.slerp.blend([1, 1], [2, 2], t: 0.5) == [1.5, 1.5])
    }

    @Test func characterTrackHoldsAndInterpolates() throws {
        let track = try CharacterTrack(keyframes: [(Character(name: "b", source: .latent([0, 2])), 20),
                                                   (Character(name: "a", source: .latent([2, 0])), 10)],
                                       latentDim: 2, interpolation: .lerp)
        #expect(track.latent(at: 0) == [2, 0])
        #expect(track.latent(at: 10) == [2, 0])
        #expect(track.latent(at: 15) == [1, 1])
        #expect(track.latent(at: 20) == [0, 2])
        #expect(track.latent(at: 99) == [0, 2])
        expectError(.character) {
            try CharacterTrack(keyframes: [(Character.seed(1), 5), (Character.seed(2), 5)], latentDim: 2, interpolation: .lerp)
        }
        expectError(.character) {
            try CharacterTrack(keyframes: [(Character(name: "x", source: .latent([1, 2, 3])), 0)], latentDim: 2, interpolation: .lerp)
        }
    }

    @Test func argumentParsing() throws {
        #expect(FrameRange("10:20") == FrameRange(start: 10, end: 20))
        #expect(try FrameRange(":5")?.resolve(frameCount: 8) == 0 ..< 5)
        #expect(try FrameRange("3:")?.resolve(frameCount: 8) == 3 ..< 8)
        #expect(try FrameRange("4")?.resolve(frameCount: 8) == 4 ..< 5)
        #expect(FrameRange("a:b") == nil)
        #expect(FrameRange("-1:3") == nil)
        expectError(.render) { try FrameRange("5:5")!.resolve(frameCount: 8) }  // empty
        expectError(.render) { try FrameRange("0:9")!.resolve(frameCount: 8) }  // past the end
        #expect(CharacterKeyframe("alice.json@90") == CharacterKeyframe(path: "alice.json", seed: nil, frame: 90))
        #expect(CharacterKeyframe("seed:7") == CharacterKeyframe(path: nil, seed: 7, frame: 0))
        #expect(CharacterKeyframe("seed:x@3") == nil)
        #expect(CharacterKeyframe("a.json@-2") == nil)
    }
}

extension FrameRange {
    init(start: Int?, end: Int?) {
        self.init(":")!
        self.start = start
        self.end = end
    }
}
