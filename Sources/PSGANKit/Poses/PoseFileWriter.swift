import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX `write(2)`, which `PoseFileWriter.write` would otherwise shadow.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Writes pose sequences in the native psgan pose format (see `docs/pose-format.md`).
///
/// The output is compact JSON with one frame per line and numbers rounded to at most four
/// decimals. Missing keypoints are written as `[0, 0, 0]`. Only sequences the reader would
/// accept are written: the writer checks the same rules and throws a ``PSGANError`` instead.
public enum PoseFileWriter {
    /// Writes `poses` to `url`, atomically: into a temporary file in the same directory, which
    /// is then renamed over `url`, so readers never see a half-written file.
    public static func write(_ poses: PoseSequence, to url: URL) throws {
        let data = try encode(poses, file: PSGANError.displayPath(of: url))
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PSGANError(.poses, url: url, problem: "cannot write: the folder \(directory.path) does not exist")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        if let problem = writeFile(data, to: temporary.path) {
            unlink(temporary.path)
            throw PSGANError(.poses, url: url, problem: "cannot write (\(problem))")
        }
        if rename(temporary.path, url.path) != 0 {
            let problem = ErrorText.reason(errno: errno)
            unlink(temporary.path)
            throw PSGANError(.poses, url: url, problem: "cannot write (\(problem))")
        }
    }

    /// Creates `path` (which must not exist), writes `data` and flushes it to disk; returns the
    /// reason on failure.
    private static func writeFile(_ data: Data, to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o666)
        guard descriptor >= 0 else { return ErrorText.reason(errno: errno) }
        var failure: String?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = systemWrite(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = ErrorText.reason(errno: errno)
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = ErrorText.reason(errno: errno) }
        if close(descriptor) != 0, failure == nil { failure = ErrorText.reason(errno: errno) }
        return failure
    }

    /// The native-format bytes for `poses`; `file` names the destination in errors.
    static func encode(_ poses: PoseSequence, file: String) throws -> Data {
        func fail(_ problem: String, frame: Int? = nil, keypoint: Int? = nil) -> PSGANError {
            PSGANError(.poses, file: file, frame: frame, keypoint: keypoint, problem: "cannot write: \(problem)")
        }
        guard let fps = poses.fps else {
            throw fail("the poses have no frame rate (fps), which the pose format requires")
        }
        guard FrameRate.isValid(fps) else { throw fail("fps must be a frame rate \(FrameRate.rangeDescription) (got \(fps.displayed()))") }
        guard poses.canvasWidth.isFinite, poses.canvasWidth > 0, poses.canvasHeight.isFinite, poses.canvasHeight > 0 else {
            throw fail("the canvas size must be positive (got \(poses.canvasWidth.displayed())x\(poses.canvasHeight.displayed()))")
        }
        guard !poses.layout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw fail("the layout name is empty")
        }
        let builtIn = KeypointLayout.builtIn(named: poses.layout)
        if let builtIn, builtIn.count != poses.keypointCount {
            throw fail("the \(builtIn.name) layout has \(builtIn.count) keypoints, not \(poses.keypointCount)")
        }
        guard poses.keypointCount > 0 else { throw fail("there are no keypoints per frame") }
        guard !poses.frames.isEmpty else { throw fail("there are no frames") }

        var text = "{\"format\": \(PoseFileReader.NativeParser.formatName.jsonQuoted), "
        text += "\"version\": \(PoseFileReader.NativeParser.currentVersion), "
        text += "\"layout\": \((builtIn?.name ?? poses.layout).jsonQuoted), \"fps\": \(number(fps)),\n"
        text += " \"canvas\": {\"width\": \(number(poses.canvasWidth)), \"height\": \(number(poses.canvasHeight))},\n"
        if let builtIn {
            text += " \"keypoint_names\": [\(builtIn.keypointNames.map(\.jsonQuoted).joined(separator: ", "))],\n"
        }
        text += " \"frames\": [\n"
        for (f, frame) in poses.frames.enumerated() {
            guard frame.count == poses.keypointCount else {
                throw fail("it has \(PSGANError.count(frame.count, "keypoint")); expected \(poses.keypointCount)", frame: f)
            }
            var items: [String] = []
            items.reserveCapacity(frame.count)
            for (k, point) in frame.enumerated() {
                guard point.confidence.isFinite, (0...1).contains(point.confidence) else {
                    throw fail("confidence \(point.confidence.displayed()) is not in [0, 1]", frame: f, keypoint: k)
                }
                guard point.isPresent else {
                    items.append("[0, 0, 0]")
                    continue
                }
                guard point.x.isFinite, point.y.isFinite else {
                    throw fail("the position (\(point.x), \(point.y)) is not finite", frame: f, keypoint: k)
                }
                // A tiny confidence must not round to 0, which would make the keypoint missing.
                let confidence = max(point.confidence, 0.0001)
                items.append("[\(number(point.x)), \(number(point.y)), \(number(confidence))]")
            }
            text += "  [" + items.joined(separator: ", ") + "]"
            text += f == poses.frames.count - 1 ? "\n" : ",\n"
        }
        text += " ]}\n"
        return Data(text.utf8)
    }

    /// `value` with at most four decimals and no trailing zeros: `12.5`, `256`, `0.3333`.
    static func number(_ value: Double) -> String {
        guard abs(value) < 1e14 else { return "\(value)" }  // "1e+20": rounding is moot here
        let tenThousandths = Int64((value * 10_000).rounded())
        if tenThousandths == 0 { return "0" }  // also turns -0 into 0
        let magnitude = tenThousandths.magnitude
        var text = tenThousandths < 0 ? "-" : ""
        text += String(magnitude / 10_000)
        let fraction = magnitude % 10_000
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 4 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}
