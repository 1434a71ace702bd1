import Foundation
import PSGANTestSupport
import Testing
@testable import PSGANKit

/// Test patterns and FFmpeg's tools for ``VideoWriterTests``.
extension VideoWriterTests {

    /// A fresh directory under the system temporary directory, removed when the value goes away.
    final class TempDir {
        let url: URL
        init() throws {
            url = try TestSupport.temporaryDirectory(prefix: "videowriter-tests")
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        /// Names in the directory, hidden ones included, sorted.
        func contents() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        }
    }

    /// Pseudo-random pixels, different for each seed.
    static func pattern(width: Int, height: Int, seed: Int) -> RGBImage {
        var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            pixels[i] = UInt8(truncatingIfNeeded: state >> 33)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    struct Probe {
        var codecName: String
        var codecTag: String
        var width: Int
        var height: Int
        var pixelFormat: String
        var frameRate: String
        var frameCount: Int
        var duration: Double
        var colorSpace: String
        var colorRange: String
    }

    /// Runs ffprobe on the first video stream (counting frames by decoding them).
    static func ffprobe(_ url: URL) throws -> Probe {
        let output = try run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
                                         "-show_entries", "stream=codec_name,codec_tag_string,width,height,pix_fmt,r_frame_rate,nb_read_frames,color_space,color_range",
                                         "-show_entries", "format=duration", "-of", "json", url.path])
        let json = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let streams = try #require(json["streams"] as? [[String: Any]])
        let stream = try #require(streams.first)
        let format = try #require(json["format"] as? [String: Any])
        return Probe(codecName: stream["codec_name"] as? String ?? "",
                     codecTag: stream["codec_tag_string"] as? String ?? "",
                     width: stream["width"] as? Int ?? -1,
                     height: stream["height"] as? Int ?? -1,
                     pixelFormat: stream["pix_fmt"] as? String ?? "",
                     frameRate: stream["r_frame_rate"] as? String ?? "",
                     frameCount: Int(stream["nb_read_frames"] as? String ?? "") ?? -1,
                     duration: Double(format["duration"] as? String ?? "") ?? -1,
                     colorSpace: stream["color_space"] as? String ?? "",
                     colorRange: stream["color_range"] as? String ?? "")
    }

    /// Decodes every frame of `input` to packed RGB24 with the ffmpeg program.
    static func decodeRGB(input: String) throws -> [UInt8] {
        [UInt8](try run("ffmpeg", ["-v", "error", "-i", input, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]))
    }

    /// Runs a program from PATH and returns its standard output; throws if it fails.
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        try TestSupport.run(tool, arguments)
    }
}
