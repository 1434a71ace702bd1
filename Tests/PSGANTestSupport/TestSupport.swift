import Foundation

/// What both test suites need from the world around them: the repository's files, scratch folders,
/// other programs run to completion, and FFmpeg's own tools to check what psgan wrote.
public enum TestSupport {
    /// The repository root (found from this file's path).
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A new empty folder for one test, under the system's temporary folder.
    public static func temporaryDirectory(prefix: String = "psgan-tests") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `program` to completion and returns its exit status and output.
    ///
    /// Output goes through temporary files rather than pipes: reading a pipe while a child runs can be
    /// interrupted by signals (EINTR) in Foundation on Linux.
    public static func capture(_ program: URL, _ arguments: [String], in directory: URL? = nil,
                               environment: [String: String]? = nil) throws -> Captured {
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return Captured(status: process.terminationStatus, output: try Data(contentsOf: outURL), errors: try Data(contentsOf: errURL))
    }

    /// Runs the program called `name` (found on the PATH) and returns its standard output; throws
    /// when it exits non-zero.
    @discardableResult
    public static func run(_ name: String, _ arguments: [String]) throws -> Data {
        let result = try capture(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments)
        guard result.status == 0 else {
            throw NSError(domain: "TestSupport.run", code: Int(result.status), userInfo: [
                NSLocalizedDescriptionKey: "\(name) \(arguments.joined(separator: " ")) failed: \(String(decoding: result.errors, as: UTF8.self))",
            ])
        }
        return result.output
    }

    /// Decodes a video, an image or a folder of PNGs (in name order) with the `ffmpeg` program into
    /// packed RGB24 frames of `frameBytes` bytes (a short last piece is kept, so a wrong size shows).
    public static func decode(_ url: URL, frameBytes: Int) throws -> [[UInt8]] {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let input = isDirectory.boolValue ? ["-f", "image2", "-pattern_type", "glob", "-i", url.path + "/*.png"] : ["-i", url.path]
        let result = try capture(URL(fileURLWithPath: "/usr/bin/env"), ["ffmpeg", "-v", "error"] + input + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        let data = result.output
        return stride(from: 0, to: data.count, by: frameBytes).map { Array(data[$0 ..< min(data.count, $0 + frameBytes)]) }
    }

    /// `ffprobe`'s view of a video's first stream (codec, size, pixel format, rate, frames read)
    /// with the container's duration.
    public static func probe(_ url: URL) throws -> [String: Any] {
        let result = try capture(URL(fileURLWithPath: "/usr/bin/env"),
                                 ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                                  "-show_entries", "stream=codec_name,width,height,pix_fmt,r_frame_rate,nb_read_frames",
                                  "-show_entries", "format=duration", "-of", "json", url.path])
        let json = try JSONSerialization.jsonObject(with: result.output) as? [String: Any] ?? [:]
        var stream = ((json["streams"] as? [[String: Any]])?.first) ?? [:]
        if let format = json["format"] as? [String: Any] { stream["duration"] = format["duration"] }
        return stream
    }
}

/// A finished program's exit status and output.
public struct Captured {
    public let status: Int32
    public let output: Data
    public let errors: Data
}
