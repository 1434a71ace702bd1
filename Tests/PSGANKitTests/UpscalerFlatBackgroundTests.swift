import Foundation
import Testing
@testable import PSGANKit

/// Upscaling only around what is drawn on a white background (``FlatBackground``) against running
/// every pixel: the same picture within one level, and really skipping the background.
@Suite struct UpscalerFlatBackgroundTests {
    static func anime() throws -> UpscalerModel {
        try UpscalerModel(contentsOf: TestPaths.upscalers.appendingPathComponent("realesr-animevideov3-x4.safetensors"))
    }

    /// A white frame with a drawn figure (filled shapes with soft edges, an outline), a stray pixel
    /// in a corner and one on an edge: what the generator's frames look like.
    static func drawing(width: Int, height: Int, seed: UInt32) -> RGBImage {
        var pixels = [UInt8](repeating: 255, count: 3 * width * height)
        var state = seed
        func random() -> Float { state = state &* 1664525 &+ 1013904223; return Float(state >> 8) / Float(1 << 24) }
        let cx = Float(width) * (0.35 + 0.3 * random()), cy = Float(height) * 0.5
        for y in 0..<height {
            for x in 0..<width {
                let dx = (Float(x) - cx) / (Float(width) * 0.12), dy = (Float(y) - cy) / (Float(height) * 0.3)
                let d = (dx * dx + dy * dy).squareRoot()
                guard d < 1.1 else { continue }
                let edge = min(1, max(0, (1.1 - d) * 8))
                let colour: [Float] = d > 0.95 ? [40, 30, 50] : [200 * random() + 20, 120, 60 + 100 * dx * dx]
                for c in 0..<3 {
                    let v = 255 * (1 - edge) + colour[c] * edge
                    pixels[3 * (y * width + x) + c] = UInt8(max(0, min(255, v.rounded())))
                }
            }
        }
        pixels[0] = 250                                    // corner (0, 0)
        pixels[3 * ((height / 2) * width + width - 1) + 1] = 240  // the right edge
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func compare(_ image: RGBImage, _ model: UpscalerModel) -> (worst: Int, differing: Int, flatUsed: Bool) {
        let skipping = Upscaler(model: model)
        let fast = skipping.upscale(image)
        let full = Upscaler(model: model, skipsWhiteBackground: false).upscale(image)
        precondition(fast.width == full.width && fast.height == full.height)
        let diffs = zip(fast.pixels, full.pixels).map { abs(Int($0) - Int($1)) }
        return (diffs.max() ?? 0, diffs.filter { $0 > 0 }.count, skipping.framesRunAroundDrawing > 0)
    }

    @Test func drawnFramesMatchTheFullRunWithinOneLevel() throws {
        let model = try Self.anime()
        for (w, h, seed) in [(128, 128, 1 as UInt32), (96, 80, 2), (110, 102, 3)] {
            let result = Self.compare(Self.drawing(width: w, height: h, seed: seed), model)
            print("flat background \(w)x\(h): worst \(result.worst) level(s), \(result.differing) of \(w * h * 48) bytes differ")
            #expect(result.flatUsed, "\(w)x\(h): the white background was not skipped")
            #expect(result.worst <= 1, "\(w)x\(h): largest difference \(result.worst) levels")
        }
    }

    @Test func aGeneratedFrameMatchesTheFullRun() throws {
        // A frame of the bundled model (poses/mocap-front.json, frame 0): its figure, the model's
        // near-white specks along the top edge and in the corners.
        let url = TestPaths.repository.appendingPathComponent("Tests/Fixtures/frames/psgan-default-mocap-front-0.png")
        let frame = try #require(try FrameReader(url: url).next())
        let result = Self.compare(frame, try Self.anime())
        print("flat background on a generated frame: worst \(result.worst), \(result.differing) bytes differ")
        #expect(result.flatUsed && result.worst <= 1)
    }

    @Test func whiteAndBusyFramesAreExact() throws {
        let model = try Self.anime()
        let white = RGBImage(width: 40, height: 32, pixels: [UInt8](repeating: 255, count: 3 * 40 * 32))
        let result = Self.compare(white, model)
        #expect(result.flatUsed && result.worst == 0)  // the white frame's own (full) output
        // Nothing white: there is nothing to skip, and the full run is what runs.
        var state: UInt32 = 7
        let busy = RGBImage(width: 40, height: 32, pixels: (0 ..< 3 * 40 * 32).map { _ in
            state = state &* 1664525 &+ 1013904223
            return UInt8(state >> 24 & 0xF7)
        })
        let busyResult = Self.compare(busy, model)
        #expect(!busyResult.flatUsed && busyResult.worst == 0)
    }

    @Test func consecutiveFramesDoNotLeakIntoEachOther() throws {
        // The working maps are put back after each frame: a frame after another equals it run alone.
        let model = try Self.anime()
        let a = Self.drawing(width: 96, height: 96, seed: 4), b = Self.drawing(width: 96, height: 96, seed: 5)
        let shared = Upscaler(model: model)
        _ = shared.upscale(a)
        let afterA = shared.upscale(b)
        #expect(afterA.pixels == Upscaler(model: model).upscale(b).pixels)
        #expect(shared.framesRunAroundDrawing == 2)
    }

    @Test func onlySequentialNetworksSkip() throws {
        let srgan = try UpscalerModel(contentsOf: TestPaths.upscalers.appendingPathComponent("srgan-x2.safetensors"))
        #expect(FlatBackground(model: srgan) == nil)
        #expect(FlatBackground(model: try Self.anime()) != nil)
        let tiled = Upscaler(model: try Self.anime(), tileSize: 16)
        _ = tiled.upscale(Self.drawing(width: 40, height: 40, seed: 6))
        #expect(tiled.framesRunAroundDrawing == 0)
    }

    @Test func boxesFollowTheDrawing() {
        var pixels = [UInt8](repeating: 255, count: 3 * 20 * 10)
        for (x, y) in [(2, 2), (3, 3), (4, 2), (15, 8)] { pixels[3 * (y * 20 + x)] = 0 }
        let boxes = FlatBackground.nonWhiteBoxes(RGBImage(width: 20, height: 10, pixels: pixels))
        #expect(boxes == [FlatBackground.Box(top: 2, left: 2, bottom: 4, right: 5), FlatBackground.Box(top: 8, left: 15, bottom: 9, right: 16)])
        let a = FlatBackground.Box(top: 0, left: 0, bottom: 4, right: 4), b = FlatBackground.Box(top: 2, left: 2, bottom: 6, right: 6)
        #expect(FlatBackground.merged([a, b]) == [a, b])  // the union (36) is larger than the two (32)
        let c = FlatBackground.Box(top: 0, left: 1, bottom: 4, right: 5)
        #expect(FlatBackground.merged([a, c]) == [a.union(c)])
    }
}
