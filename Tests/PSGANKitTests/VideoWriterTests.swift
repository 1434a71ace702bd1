import Foundation
import Testing
@testable import PSGANKit

/// Checks VideoWriter's output against the `ffprobe` and `ffmpeg` programs, not against itself.
@Suite struct VideoWriterTests {

    // MARK: - Container files, checked with ffprobe

    struct ProbeCase: CustomTestStringConvertible, Sendable {
        var codec: VideoCodec
        var fileName: String
        var width: Int
        var height: Int
        var fps: Double
        var frames: Int
        var codecName: String
        var pixelFormat: String
        var frameRate: String
        var encoder: String? = nil
        var testDescription: String { "\(codec.rawValue) → \(fileName) \(width)x\(height) @ \(fps)" }
    }

    static let probeCases: [ProbeCase] = [
        ProbeCase(codec: .h264, fileName: "out.mp4", width: 32, height: 32, fps: 29.97, frames: 8,
                  codecName: "h264", pixelFormat: "yuv420p", frameRate: "30000/1001"),
        ProbeCase(codec: .h264, fileName: "out.MKV", width: 34, height: 18, fps: 25, frames: 6,
                  codecName: "h264", pixelFormat: "yuv420p", frameRate: "25/1"),
        ProbeCase(codec: .hevc, fileName: "out.mp4", width: 34, height: 18, fps: 24, frames: 6,
                  codecName: "hevc", pixelFormat: "yuv420p", frameRate: "24/1"),
        ProbeCase(codec: .vp9, fileName: "out.webm", width: 32, height: 32, fps: 30, frames: 7,
                  codecName: "vp9", pixelFormat: "yuv420p", frameRate: "30/1"),
        ProbeCase(codec: .av1, fileName: "out.mkv", width: 32, height: 32, fps: 12.5, frames: 5,
                  codecName: "av1", pixelFormat: "yuv420p", frameRate: "25/2", encoder: "libaom-av1"),
        ProbeCase(codec: .av1, fileName: "out.mp4", width: 64, height: 64, fps: 30, frames: 5,
                  codecName: "av1", pixelFormat: "yuv420p", frameRate: "30/1", encoder: "libsvtav1"),
        ProbeCase(codec: .prores, fileName: "out.mov", width: 34, height: 18, fps: 23.976, frames: 6,
                  codecName: "prores", pixelFormat: "yuv422p10le", frameRate: "24000/1001"),
        ProbeCase(codec: .ffv1, fileName: "out.mkv", width: 33, height: 17, fps: 10, frames: 5,
                  codecName: "ffv1", pixelFormat: "bgr0", frameRate: "10/1"),
    ]

    @Test(arguments: probeCases)
    func writesWhatFFprobeReports(_ c: ProbeCase) throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent(c.fileName)
        let writer = try VideoWriter(url: url, width: c.width, height: c.height,
                                     settings: VideoSettings(codec: c.codec, fps: c.fps))
        #expect(!FileManager.default.fileExists(atPath: url.path), "nothing at the output before finish()")
        for i in 0..<c.frames {
            try writer.append(Self.pattern(width: c.width, height: c.height, seed: i))
        }
        #expect(writer.framesWritten == c.frames)
        try writer.finish()
        if let encoder = c.encoder { #expect(writer.encoderName == encoder) }

        let probe = try Self.ffprobe(url)
        #expect(probe.codecName == c.codecName)
        #expect(probe.width == c.width)
        #expect(probe.height == c.height)
        #expect(probe.pixelFormat == c.pixelFormat)
        #expect(probe.frameRate == c.frameRate)
        #expect(probe.frameCount == c.frames)
        let expectedDuration = Double(c.frames) / c.fps
        #expect(abs(probe.duration - expectedDuration) <= 1 / c.fps + 0.002,
                "duration \(probe.duration) vs \(expectedDuration)")
        if c.codec == .hevc { #expect(probe.codecTag == "hvc1") }
        if c.codec.pixelFormatName.hasPrefix("yuv") {
            #expect(probe.colorSpace == "bt709")
            #expect(probe.colorRange == "tv")
        }
        #expect(try dir.contents() == [c.fileName], "only the output is left")
    }

    static let codecContainerPairs: [(VideoCodec, VideoContainer)] = VideoCodec.allCases.flatMap { codec in
        codec.allowedContainers.compactMap { $0 == .pngSequence ? nil : (codec, $0) }
    }

    @Test(arguments: codecContainerPairs)
    func everyAllowedContainerWorks(_ codec: VideoCodec, _ container: VideoContainer) throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.\(container.fileExtension!)")
        let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: codec, fps: 24))
        for i in 0..<3 { try writer.append(Self.pattern(width: 16, height: 16, seed: i)) }
        try writer.finish()
        let probe = try Self.ffprobe(url)
        #expect(probe.codecName == codec.rawValue)
        #expect(probe.frameCount == 3)
        #expect(probe.frameRate == "24/1")
    }

    @Test func oddSizeIsPaddedToEvenForChromaSubsampledCodecs() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("odd.mp4")
        let writer = try VideoWriter(url: url, width: 33, height: 17, settings: VideoSettings(codec: .h264, fps: 30))
        #expect(writer.encodedWidth == 34 && writer.encodedHeight == 18)
        for i in 0..<5 { try writer.append(Self.pattern(width: 33, height: 17, seed: i)) }
        try writer.finish()
        let probe = try Self.ffprobe(url)
        #expect(probe.width == 34)
        #expect(probe.height == 18)
        #expect(probe.frameCount == 5)
    }

    @Test func smoothContentSurvivesLossyCodingAndPaddingRepeatsEdges() throws {
        // A gradient through h264 should decode close to the input; the padded column/row must
        // look like the last real column/row, not black.
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("smooth.mkv")
        let (w, h) = (33, 17)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w {
            pixels[(y * w + x) * 3 + 0] = UInt8(40 + x * 4)
            pixels[(y * w + x) * 3 + 1] = UInt8(60 + y * 6)
            pixels[(y * w + x) * 3 + 2] = 128
        } }
        let image = RGBImage(width: w, height: h, pixels: pixels)
        let writer = try VideoWriter(url: url, width: w, height: h, settings: VideoSettings(codec: .h264, fps: 30, crf: 0))
        for _ in 0..<3 { try writer.append(image) }
        try writer.finish()
        let decoded = try Self.decodeRGB(input: url.path)
        #expect(decoded.count == 34 * 18 * 3 * 3)
        var worst = 0
        for y in 0..<18 { for x in 0..<34 { for c in 0..<3 {
            let expected = Int(pixels[(min(y, h - 1) * w + min(x, w - 1)) * 3 + c])
            worst = max(worst, abs(Int(decoded[(y * 34 + x) * 3 + c]) - expected))
        } } }
        #expect(worst <= 8, "largest channel error \(worst)")
    }

    @Test(arguments: [VideoCodec.h264, .prores])
    func colourMatrixMatchesTheTags(_ codec: VideoCodec) throws {
        // Saturated flat colours come back within rounding only if the decoder converts with the
        // same matrix and range the encoder used (a BT.601/709 or range mix-up is off by 10+).
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("colours.\(codec.defaultContainer.fileExtension!)")
        let colours: [[UInt8]] = [[220, 30, 40], [20, 200, 60], [30, 40, 210], [240, 230, 20], [128, 128, 128]]
        let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: codec, fps: 30, crf: codec.crfRange == nil ? nil : 0))
        for colour in colours {
            try writer.append(RGBImage(width: 16, height: 16, pixels: Array((0..<256).map { _ in colour }.joined())))
        }
        try writer.finish()
        let probe = try Self.ffprobe(url)
        #expect(probe.colorSpace == "bt709")
        #expect(probe.colorRange == "tv")
        let decoded = try Self.decodeRGB(input: url.path)
        #expect(decoded.count == colours.count * 16 * 16 * 3)
        var worst = 0
        for (i, value) in decoded.enumerated() {
            worst = max(worst, abs(Int(value) - Int(colours[i / (16 * 16 * 3)][i % 3])))
        }
        #expect(worst <= 3, "largest channel error \(worst)")
    }

    // MARK: - Lossless outputs, decoded with ffmpeg

    @Test func ffv1IsBitExact() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("lossless.mkv")
        let frames = (0..<6).map { Self.pattern(width: 33, height: 17, seed: 100 + $0) }
        let writer = try VideoWriter(url: url, width: 33, height: 17, settings: VideoSettings(codec: .ffv1, fps: 29.97))
        for frame in frames { try writer.append(frame) }
        try writer.finish()
        let decoded = try Self.decodeRGB(input: url.path)
        #expect(decoded == frames.flatMap(\.pixels))
        #expect(try Self.ffprobe(url).frameRate == "30000/1001")
    }

    @Test func pngDirectoryIsBitExact() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("frames")
        let frames = (0..<5).map { Self.pattern(width: 33, height: 17, seed: 200 + $0) }
        let writer = try VideoWriter(url: url, width: 33, height: 17, settings: VideoSettings(codec: .png, fps: 30))
        for frame in frames { try writer.append(frame) }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        try writer.finish()
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        #expect(names == (0..<5).map { String(format: "frame_%06d.png", $0) })
        let probe = try Self.ffprobe(url.appendingPathComponent("frame_000000.png"))
        #expect(probe.codecName == "png")
        #expect(probe.pixelFormat == "rgb24")
        #expect(probe.width == 33 && probe.height == 17)
        let decoded = try Self.decodeRGB(input: url.path + "/frame_%06d.png")
        #expect(decoded == frames.flatMap(\.pixels))
        #expect(try dir.contents() == ["frames"])
        // Deflated fast (zlib level 1): the zlib stream in the first IDAT chunk says so in its
        // header's FLEVEL bits (RFC 1950: 0 "fastest"; the default level 6 writes 2, 0x78 0x9C).
        let png = try Data(contentsOf: url.appendingPathComponent("frame_000000.png"))
        let idat = try #require(png.range(of: Data("IDAT".utf8)))
        let flags = png[idat.upperBound + 1]
        #expect(png[idat.upperBound] == 0x78 && flags >> 6 == 0, "zlib header \(png[idat.upperBound]) \(flags)")
    }

    @Test func pngMayReplaceAnEmptyDirectory() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        let writer = try VideoWriter(url: url, width: 8, height: 8, settings: VideoSettings(codec: .png))
        try writer.append(Self.pattern(width: 8, height: 8, seed: 1))
        try writer.finish()
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.path) == ["frame_000000.png"])
    }

    @Test func finishReplacesAnExistingFile() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.mp4")
        try Data("old".utf8).write(to: url)
        let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings())
        for i in 0..<3 { try writer.append(Self.pattern(width: 16, height: 16, seed: i)) }
        try writer.finish()
        #expect(try Self.ffprobe(url).frameCount == 3)
        #expect(try dir.contents() == ["out.mp4"])
    }

    // MARK: - Errors leave nothing behind

    @Test func unknownExtensionIsRejected() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.avi")
        let error = expectError(.video) {
            _ = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings())
        }
        #expect(error?.description.contains(url.path) == true)
        #expect(error?.description.contains(".avi") == true)
        #expect(try dir.contents() == [])
    }

    @Test func codecContainerMismatchIsRejected() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.webm")
        let error = expectError(.video) {
            _ = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: .prores))
        }
        #expect(error?.description == "\(url.path): codec 'prores' cannot be stored in a .webm file (use .mov or .mkv)")
        #expect(try dir.contents() == [])
    }

    @Test func unwritableDirectoryIsReported() throws {
        let dir = try TempDir()
        let notADirectory = dir.url.appendingPathComponent("x.txt")
        try Data("x".utf8).write(to: notADirectory)
        for (name, codec) in [("out.mp4", VideoCodec.h264), ("frames", .png)] {
            let url = notADirectory.appendingPathComponent(name)
            let error = expectError(.video) {
                _ = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: codec))
            }
            #expect(error?.description == "cannot write '\(url.path)': a part of the path is not a directory")
        }
        #expect(try dir.contents() == ["x.txt"])
    }

    @Test func pngRefusesExistingDataAtTheOutput() throws {
        let dir = try TempDir()
        let full = dir.url.appendingPathComponent("full")
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: full.appendingPathComponent("keep.txt"))
        let file = dir.url.appendingPathComponent("file")
        try Data("keep".utf8).write(to: file)
        for url in [full, file] {
            let error = expectError(.video) {
                _ = try VideoWriter(url: url, width: 8, height: 8, settings: VideoSettings(codec: .png))
            }
            #expect(error?.description.contains(url.path) == true)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: full.path) == ["keep.txt"])
        #expect(try dir.contents() == ["file", "full"])
    }

    @Test func cancelLeavesNothing() throws {
        for (name, codec) in [("out.mp4", VideoCodec.h264), ("frames", .png)] {
            let dir = try TempDir()
            let url = dir.url.appendingPathComponent(name)
            let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: codec))
            for i in 0..<3 { try writer.append(Self.pattern(width: 16, height: 16, seed: i)) }
            #expect(FileManager.default.fileExists(atPath: writer.temporaryURL.path))
            #expect(writer.temporaryURL.deletingLastPathComponent().path == dir.url.path)
            writer.cancel()
            writer.cancel()
            #expect(try dir.contents() == [])
            expectError(.video) { try writer.append(Self.pattern(width: 16, height: 16, seed: 9)) }
            expectError(.video) { try writer.finish() }
            #expect(try dir.contents() == [])
        }
    }

    @Test func unfinishedWriterLeavesNothing() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.webm")
        func writeWithoutFinishing() throws {
            let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: .vp9))
            for i in 0..<3 { try writer.append(Self.pattern(width: 16, height: 16, seed: i)) }
        }
        try writeWithoutFinishing()
        #expect(try dir.contents() == [])
    }

    @Test func wrongFrameSizeCancels() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.mkv")
        let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: .ffv1))
        try writer.append(Self.pattern(width: 16, height: 16, seed: 0))
        let error = expectError(.video) { try writer.append(Self.pattern(width: 8, height: 16, seed: 1)) }
        #expect(error?.description.contains("8x16") == true)
        #expect(try dir.contents() == [])
    }

    @Test func finishWithoutFramesFails() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("empty.mp4")
        let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings())
        expectError(.video) { try writer.finish() }
        #expect(try dir.contents() == [])
    }

    @Test func finishIsIdempotentAndCancelAfterFinishKeepsOutput() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.mov")
        let writer = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(codec: .prores))
        try writer.append(Self.pattern(width: 16, height: 16, seed: 0))
        try writer.finish()
        try writer.finish()
        writer.cancel()
        #expect(try dir.contents() == ["out.mov"])
    }

    // MARK: - Codec names

    @Test func codecParsing() throws {
        #expect(try VideoCodec(parsing: "H264") == .h264)
        #expect(try VideoCodec(parsing: "h265") == .hevc)
        #expect(try VideoCodec(parsing: "HEVC") == .hevc)
        #expect(try VideoCodec(parsing: "ffv1") == .ffv1)
        let error = expectError(.video) { try VideoCodec(parsing: "foo") }
        #expect(error?.description == "unknown codec 'foo' (known: h264, hevc, vp9, av1, prores, ffv1, png)")
        for codec in VideoCodec.allCases {
            #expect(codec.allowedContainers.first == codec.defaultContainer)
        }
    }

    @Test func invalidSettingsAreRejectedBeforeTouchingDisk() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.mp4")
        expectError(.video) { _ = try VideoWriter(url: url, width: 0, height: 16, settings: VideoSettings()) }
        expectError(.video) { _ = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(fps: 0)) }
        expectError(.video) { _ = try VideoWriter(url: url, width: 16, height: 16, settings: VideoSettings(crf: 99)) }
        expectError(.video) {
            _ = try VideoWriter(url: dir.url.appendingPathComponent("frames.mp4"), width: 16, height: 16,
                                settings: VideoSettings(codec: .png))
        }
        #expect(try dir.contents() == [])
    }
}
