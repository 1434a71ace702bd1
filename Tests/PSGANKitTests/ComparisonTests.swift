import Foundation
import Testing
@testable import PSGANKit

/// The comparison metrics against values computed independently (numpy and scikit-image, see
/// `Fixtures/make_metric_fixtures.py`), and the report's verdicts.
@Suite struct ComparisonTests {
    struct Pair {
        let name: String
        let a: RGBImage
        let b: RGBImage
        let psnr: Double
        let ssimLuma: Double
        let ssimRGB: Double
        let maxDiff: Int
        let differingPixels: Int
    }

    static func fixtures() throws -> [Pair] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/metric-fixtures.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (json["pairs"] as! [[String: Any]]).map { p in
            let w = p["width"] as! Int, h = p["height"] as! Int
            func image(_ key: String) -> RGBImage {
                RGBImage(width: w, height: h, pixels: [UInt8](Data(base64Encoded: p[key] as! String)!))
            }
            return Pair(name: p["name"] as! String, a: image("a"), b: image("b"),
                        psnr: (p["psnr"] as? Double) ?? .infinity, ssimLuma: p["ssim_luma"] as! Double,
                        ssimRGB: p["ssim_rgb"] as! Double, maxDiff: p["max_diff"] as! Int,
                        differingPixels: p["differing_pixels"] as! Int)
        }
    }

    @Test func metricsMatchScikitImageAndHandComputedPSNR() throws {
        let pairs = try Self.fixtures()
        #expect(pairs.count == 5)
        for pair in pairs {
            let luma = FrameComparison(index: 0, expected: pair.a, actual: pair.b, ssimChannels: .luma)
            let rgb = FrameComparison(index: 0, expected: pair.a, actual: pair.b, ssimChannels: .rgb)
            #expect(abs(luma.psnr - pair.psnr) < 1e-9, "\(pair.name): PSNR \(luma.psnr) vs \(pair.psnr)")
            #expect(abs(luma.ssim! - pair.ssimLuma) < 1e-9, "\(pair.name): luma SSIM \(luma.ssim!) vs \(pair.ssimLuma)")
            #expect(abs(rgb.ssim! - pair.ssimRGB) < 1e-9, "\(pair.name): RGB SSIM \(rgb.ssim!) vs \(pair.ssimRGB)")
            #expect(luma.maxDiff == pair.maxDiff, "\(pair.name)")
            #expect(luma.differingPixels == pair.differingPixels, "\(pair.name)")
        }
    }

    @Test func identicalFramesReportInfinityAndPerfectSSIM() throws {
        let image = try Self.fixtures()[0].a
        let same = FrameComparison(index: 3, expected: image, actual: image, ssimChannels: .luma)
        #expect(same.psnr == .infinity)
        #expect(abs(same.ssim! - 1) < 1e-12)
        #expect(same.maxDiff == 0 && same.differingPixels == 0)
        #expect(ComparisonReport.format(psnr: same.psnr) == "inf")
    }

    @Test func psnrByHandOnATinyImage() {
        // 2x1 image, one channel off by 10: MSE = 100 / 6, PSNR = 10 log10(255^2 * 6 / 100).
        let a = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 50, 50, 50])
        let b = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 50, 60, 50])
        let figures = FrameComparison(index: 0, expected: a, actual: b, ssimChannels: .luma)
        #expect(abs(figures.psnr - 10 * log10(255.0 * 255 * 6 / 100)) < 1e-12)
        #expect(figures.ssim == nil)
        #expect(figures.maxDiff == 10 && figures.differingPixels == 1)
    }

    final class ArraySource: FrameSource {
        let name: String
        var frames: [RGBImage]
        init(_ name: String, _ frames: [RGBImage]) {
            self.name = name
            self.frames = frames
        }
        func next() throws -> RGBImage? { frames.isEmpty ? nil : frames.removeFirst() }
    }

    @Test func thresholdsDecideAndTheReportNamesFailingFrames() throws {
        let pairs = try Self.fixtures()
        let a = pairs[0].a
        let expected = ArraySource("golden", [a, a, a])
        let actual = ArraySource("render", [a, pairs[0].b, pairs[1].b])
        let report = try ComparisonReport.compare(expected: expected, actual: actual,
                                                  thresholds: ComparisonThresholds(minPSNR: 30), ssimChannels: .luma)
        #expect(report.frames.count == 3)
        #expect(!report.passed)
        #expect(report.failures.map(\.index) == [2])
        #expect(report.table().contains("FAIL: PSNR 16.64 dB < 30.0"))
        let json = try JSONSerialization.jsonObject(with: report.json()) as! [String: Any]
        #expect(json["pass"] as? Bool == false)
        let frames = json["frames"] as! [[String: Any]]
        #expect(frames[0]["psnr"] as? String == "inf")
        #expect(frames[2]["index"] as? Int == 2)
        #expect(frames[2]["pass"] as? Bool == false)
        #expect(abs((frames[1]["psnr"] as! Double) - pairs[0].psnr) < 1e-5)
        #expect(frames[1]["max_diff"] as? Int == pairs[0].maxDiff)
        #expect(frames[1]["differing_pixels"] as? Int == pairs[0].differingPixels)
        #expect(frames[1]["ssim"] is Double)

        // No thresholds: frames must be identical.
        let strict = try ComparisonReport.compare(expected: ArraySource("e", [a, a]), actual: ArraySource("a", [a, pairs[3].b]),
                                                  thresholds: ComparisonThresholds(), ssimChannels: .rgb)
        #expect(strict.failures.map(\.index) == [1])
        let loose = try ComparisonReport.compare(expected: ArraySource("e", [a]), actual: ArraySource("a", [pairs[0].b]),
                                                 thresholds: ComparisonThresholds(minSSIM: 0.95, maxDiff: 11), ssimChannels: .luma)
        #expect(loose.passed)
    }

    @Test func mismatchedInputsCannotBeCompared() throws {
        let a = try Self.fixtures()[0].a
        let small = RGBImage(width: 4, height: 4)
        expectError(.comparison) {
            try ComparisonReport.compare(expected: ArraySource("e", [a, a]), actual: ArraySource("a", [a]),
                                         thresholds: ComparisonThresholds(), ssimChannels: .luma)
        }
        do {
            _ = try ComparisonReport.compare(expected: ArraySource("e", [a, a]), actual: ArraySource("a", [a, small]),
                                             thresholds: ComparisonThresholds(), ssimChannels: .luma)
            Issue.record("sizes differ but compared")
        } catch let error as PSGANError where error.kind == .comparison {
            #expect(error.description == "frame 1: e is 40x30 but a is 4x4")
        }
        expectError(.comparison) {
            try ComparisonReport.compare(expected: ArraySource("e", []), actual: ArraySource("a", []),
                                         thresholds: ComparisonThresholds(), ssimChannels: .luma)
        }
    }

    @Test func heatMapIsBlackWhereEqual() throws {
        let pair = try Self.fixtures()[3]
        let heat = DiffHeatMap.image(expected: pair.a, actual: pair.b)
        let p = 7 * 40 + 9
        #expect(Array(heat.pixels[3 * p ..< 3 * p + 3]) == [255, 255, 255])
        #expect(heat.pixels.enumerated().allSatisfy { $0.offset / 3 == p || $0.element == 0 })
    }
}
