import Foundation
@testable import PSGANKit
import Testing

/// The matte and the compositor on hand-built images with hand-computed answers.
@Suite struct MatteTests {
    /// A 20x20 white frame: a black square outline (4...15), filled red, with an outlined 4x4 white
    /// hole (9...12), a one-pixel white highlight inside the fill, a light-grey anti-aliased pixel
    /// on the outline's outside, and a light-skin patch touching the background with no outline.
    static func figure() -> RGBImage {
        var pixels = [UInt8](repeating: 255, count: 20 * 20 * 3)
        func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            let p = (y * 20 + x) * 3
            pixels[p] = c.0; pixels[p + 1] = c.1; pixels[p + 2] = c.2
        }
        for y in 4...15 { for x in 4...15 { set(x, y, (0, 0, 0)) } }
        for y in 5...14 { for x in 5...14 { set(x, y, (200, 30, 30)) } }
        for y in 8...13 { for x in 8...13 { set(x, y, (0, 0, 0)) } }
        for y in 9...12 { for x in 9...12 { set(x, y, (255, 255, 255)) } }
        set(6, 6, (255, 255, 255))          // a highlight: enclosed, smaller than a hole
        set(3, 10, (179, 179, 179))         // anti-aliased outline pixel outside
        for y in 0...2 { set(18, y, (245, 215, 193)) }  // light skin at the border
        return RGBImage(width: 20, height: 20, pixels: pixels)
    }

    static func rgba(_ image: RGBAImage, _ x: Int, _ y: Int) -> [UInt8] {
        Array(image.pixels[(y * image.width + x) * 4 ..< (y * image.width + x) * 4 + 4])
    }

    /// A model's own coverage loses the patches with no opaque core, and nothing else: a 6x5 plane
    /// with a figure (peak 200) touching a faint pixel corner to corner (kept: 8-connected), a faint
    /// two-pixel speck (20, 30), a lone 127 (under the peak of 128) and a lone 128.
    @Test func aModelsCoverageLosesItsSpecks() {
        let coverage: [UInt8] = [
            20, 30, 0, 0, 0, 128,
            0, 0, 0, 0, 0, 0,
            0, 0, 200, 90, 0, 0,
            0, 0, 60, 0, 0, 127,
            0, 10, 0, 0, 0, 0,
        ]
        let expected: [UInt8] = [
            0, 0, 0, 0, 0, 128,
            0, 0, 0, 0, 0, 0,
            0, 0, 200, 90, 0, 0,
            0, 0, 60, 0, 0, 0,
            0, 10, 0, 0, 0, 0,
        ]
        #expect(Matte.withoutSpecks(coverage, width: 6, height: 5) == expected)
        var image = RGBImage(width: 6, height: 5, pixels: [UInt8](repeating: 255, count: 6 * 5 * 3))
        image.coverage = coverage
        #expect(Matte().alpha(of: image) == expected, "the matte of a frame with coverage is its coverage without specks")
    }

    @Test func backgroundHolesEdgesAndFigure() {
        let cut = Matte().extract(from: Self.figure())
        #expect(Self.rgba(cut, 0, 0) == [0, 0, 0, 0], "corner: background")
        #expect(Self.rgba(cut, 19, 19) == [0, 0, 0, 0])
        #expect(Self.rgba(cut, 10, 10) == [0, 0, 0, 0], "the enclosed 4x4 hole (16 px >= 0.002 of 400, at least 4)")
        #expect(Self.rgba(cut, 5, 5) == [200, 30, 30, 255], "the fill")
        #expect(Self.rgba(cut, 4, 4) == [0, 0, 0, 255], "the outline")
        #expect(Self.rgba(cut, 6, 6) == [255, 255, 255, 255], "a one-pixel highlight is no hole")
        #expect(Self.rgba(cut, 18, 1) == [245, 215, 193, 255], "light skin is not grey: opaque")
        // The grey edge pixel: w = 179/255, a = 1 - w/0.94 = 0.25324 -> 65; colour (179 - (1 - 65/255)·255)/(65/255) < 0 -> 0.
        #expect(Self.rgba(cut, 3, 10) == [0, 0, 0, 65])
    }

    @Test func compositingOverAColourIsTheAlphaBlend() {
        let cut = Matte().extract(from: Self.figure())
        let over = Compositor.composite(cut, overColor: (30, 90, 200))
        for p in 0 ..< 400 {
            let a = Double(cut.pixels[p * 4 + 3]) / 255
            for (c, background) in [30.0, 90, 200].enumerated() {
                let expected = (Double(cut.pixels[p * 4 + c]) * a + background * (1 - a)).rounded()
                #expect(abs(Double(over.pixels[p * 3 + c]) - expected) <= 1, "pixel \(p) channel \(c)")
            }
        }
        // The edge pixel over a colour: its decontaminated colour is black (clamped at 0), so red is
        // 0·a + 30·(1 - a) with a = 65/255: 22.35 -> 22.
        let transparency: Double = 1 - 65.0 / 255
        let edge: Double = 30 * transparency
        #expect(over.pixels[(10 * 20 + 3) * 3] == UInt8(edge.rounded()))
    }

    @Test func placementScalesAndCentres() {
        // A 2x2 opaque red layer at centre (5, 5), scale 2, covers pixels 3...6 of a 10x10 black frame.
        let layer = RGBAImage(width: 2, height: 2, pixels: [255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255])
        let out = Compositor.composite([(layer, Placement(x: 5, y: 5, scale: 2))], over: RGBImage(width: 10, height: 10))
        // Pixels 3...6 (centres 3.5...6.5) fall within the 4-pixel square from 3 to 7; the rest stay black.
        let covered = (0 ..< 10).filter { out.pixels[(5 * 10 + $0) * 3] > 0 }
        #expect(covered == [3, 4, 5, 6], "\(covered)")
        #expect(out.pixels[(5 * 10 + 5) * 3] == 255 && out.pixels[(3 * 10 + 3) * 3] > 0 && out.pixels[(2 * 10 + 5) * 3] == 0)
        #expect(Placement(parsing: "640,360,1.5") == Placement(x: 640, y: 360, scale: 1.5))
        #expect(Placement(parsing: "1,2,0") == nil && Placement(parsing: "1,2") == nil)
        #expect(Placement.fitted(side: 128, in: CanvasSize(width: 1280, height: 720)) == Placement(x: 640, y: 360, scale: 5.625))
    }

    @Test func upscaledAlphaKeepsItsLevels() {
        // 2x2 [0, 255; 255, 0] at x2: corners keep their values, the centre of the frame blends to 128.
        let up = Matte.upscaled([0, 255, 255, 0], size: CanvasSize(side: 2), factor: 2)
        #expect(up.count == 16 && up[0] == 0 && up[3] == 255 && up[12] == 255 && up[15] == 0)
        #expect(up[5] == 96 || up[5] == 95)  // (0.75·0.75·0 + 0.25·0.75·255·2 + 0.0625·0) = 95.6
    }

    @Test func backgroundsParse() throws {
        #expect(try Background(parsing: "#3366CC") == .color(red: 0x33, green: 0x66, blue: 0xCC))
        #expect(try Background(parsing: "chroma-green") == .color(red: 0, green: 177, blue: 64))
        let error = expectError(.input) { try Background(parsing: "/nonexistent/plate.png") }
        #expect(error?.description.contains("/nonexistent/plate.png") == true)
    }

    /// A repeated frame is finished from memory, the same as finishing it afresh, with or without
    /// a background composited over.
    @Test(arguments: [nil, Background.color(red: 10, green: 200, blue: 30)])
    func aRepeatedFrameIsFinishedOnceAndTheSame(background: Background?) throws {
        let upscaler = Upscaler(model: try UpscalerTests.model("realesr-animevideov3-x4"))
        func finisher() throws -> FrameFinisher {
            try FrameFinisher(side: 20, upscaler: upscaler, alpha: background == nil, background: background, placement: nil)
        }
        let a = Self.figure()
        var b = a
        b.pixels[0] = 0
        let reusing = try finisher()
        let finished = try [a, b, a, a].map { try reusing.finish($0) }
        #expect(reusing.reusedFrames == 2)
        for (index, image) in [a, b, a, a].enumerated() {
            #expect(Self.bytes(finished[index]) == Self.bytes(try finisher().finish(image)), "frame \(index)")
        }
        #expect(Self.bytes(finished[0]) != Self.bytes(finished[1]))
    }

    static func bytes(_ frame: FrameFinisher.Frame) -> [UInt8] {
        switch frame {
        case .rgb(let image): image.pixels
        case .rgba(let image): image.pixels
        }
    }
}
