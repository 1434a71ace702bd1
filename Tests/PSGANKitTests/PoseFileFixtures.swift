import Foundation
import PSGANTestSupport
import Testing
@testable import PSGANKit

// Helpers and fixtures shared by the pose-file test suites.

/// A fresh, empty directory under the system's temporary directory.
func makeTemporaryDirectory() throws -> URL {
    try TestSupport.temporaryDirectory(prefix: "psgan-pose-tests")
}

/// Writes `text` as UTF-8 to `name` inside `directory`.
@discardableResult
func writeFile(_ text: String, named name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}

/// Reads `url`, expecting a `PSGANError`, and returns its description.
func readError(_ url: URL, canvas: CanvasSize? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        let poses = try PoseFileReader.read(url, canvas: canvas)
        Issue.record("expected a PSGANError, read \(poses.frameCount) frames", sourceLocation: sourceLocation)
        return ""
    } catch let error as PSGANError where error.kind == .poses {
        return error.description
    } catch {
        Issue.record("expected a PSGANError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return ""
    }
}

/// An OpenPose frame with one entry in `people` per keypoint array given (flat x, y, c values).
func openPoseJSON(_ people: [[Double]]) -> String {
    let entries = people.map { values in
        "{\"person_id\": [-1], \"pose_keypoints_2d\": [\(values.map { "\($0)" }.joined(separator: ","))], \"face_keypoints_2d\": []}"
    }
    return "{\"version\": 1.3, \"people\": [\(entries.joined(separator: ","))]}"
}

/// Flat OpenPose values for `count` keypoints where keypoint `i` is at (base + i, base + 100 + i).
func openPoseValues(count: Int, base: Double, confidence: Double = 0.9) -> [Double] {
    (0..<count).flatMap { i in [base + Double(i), base + 100 + Double(i), confidence] }
}

/// A small native pose file: `frames` frames of `keypoints` keypoints in the given layout.
func nativeJSON(layout: String = "coco18", keypoints: Int = 18, frames: Int = 2,
                        fps: String = "30", canvas: String = #"{"width": 640, "height": 480}"#) -> String {
    let frame = "[" + (0..<keypoints).map { "[\(10 + $0), \(20 + $0), 0.5]" }.joined(separator: ", ") + "]"
    return """
    {"format": "psgan-pose", "version": 1, "layout": "\(layout)", "fps": \(fps),
     "canvas": \(canvas),
     "frames": [\(Array(repeating: frame, count: frames).joined(separator: ",\n"))]}
    """
}

/// A coco18 sequence with varied values (including a missing keypoint and awkward decimals).
func sampleCoco18() -> PoseSequence {
    let frames: [[Keypoint]] = (0..<3).map { f in
        (0..<18).map { k in
            if f == 1 && k == 4 { return .missing }
            return Keypoint(x: Double(f * 100 + k) + 0.125, y: Double(k) * 7.5 - 3, confidence: 0.25 + Double(k) / 40)
        }
    }
    return PoseSequence(layout: "coco18", keypointCount: 18, fps: 24, canvasWidth: 640, canvasHeight: 480, frames: frames)
}

// MARK: - Malformed-input fixtures

/// A malformed native file: its content, and what the error message must say.
struct MalformedPoseFile: CustomTestStringConvertible, Sendable {
    var name: String
    var content: String
    var expected: [String]
    var testDescription: String { name }
}

let coco18Frame = "[" + Array(repeating: "[1, 2, 0.5]", count: 18).joined(separator: ", ") + "]"

/// A native document with one field's text replaced (or the whole frames list).
func native(format: String = #""psgan-pose""#, version: String = "1", layout: String = #""coco18""#,
                    fps: String = "30", canvas: String = #"{"width": 512, "height": 512}"#,
                    extra: String = "", frames: String? = nil) -> String {
    """
    {"format": \(format), "version": \(version), "layout": \(layout), "fps": \(fps),
     "canvas": \(canvas),\(extra)
     "frames": \(frames ?? "[\(coco18Frame), \(coco18Frame)]")}
    """
}

/// Frame 1 of a two-frame coco18 document with keypoint 3 replaced by `keypoint`.
func badKeypoint(_ keypoint: String) -> String {
    var items = Array(repeating: "[1, 2, 0.5]", count: 18)
    items[3] = keypoint
    return native(frames: "[\(coco18Frame), [\(items.joined(separator: ", "))]]")
}

let malformedCases: [MalformedPoseFile] = [
    .init(name: "empty", content: "", expected: ["empty"]),
    .init(name: "blank", content: "  \n ", expected: ["empty"]),
    .init(name: "truncated", content: String(native().prefix(120)), expected: ["truncated or invalid JSON"]),
    .init(name: "trailing-garbage", content: native() + " x", expected: ["truncated or invalid JSON"]),
    .init(name: "top-level-array", content: "[1, 2, 3]", expected: ["not a psgan pose file", "array"]),
    .init(name: "no-format", content: #"{"version": 1, "frames": []}"#, expected: [#"not a psgan pose file (missing "format")"#]),
    .init(name: "wrong-format", content: native(format: #""other-pose""#), expected: ["not a psgan pose file", "other-pose"]),
    .init(name: "format-number", content: native(format: "7"), expected: ["not a psgan pose file"]),
    .init(name: "newer-version", content: native(version: "2"), expected: ["written by a newer psgan", "version 2"]),
    .init(name: "version-string", content: native(version: #""1""#), expected: ["\"version\"", "a string"]),
    .init(name: "version-zero", content: native(version: "0"), expected: ["\"version\""]),
    .init(name: "version-fraction", content: native(version: "1.5"), expected: ["\"version\""]),
    .init(name: "layout-empty", content: native(layout: #""""#), expected: [#""layout" is empty"#]),
    .init(name: "layout-number", content: native(layout: "18"), expected: [#""layout" is the number 18, not a string"#]),
    .init(name: "fps-zero", content: native(fps: "0"), expected: ["\"fps\" must be above 0"]),
    .init(name: "fps-negative", content: native(fps: "-30"), expected: ["\"fps\" must be above 0"]),
    .init(name: "fps-null", content: native(fps: "null"), expected: ["\"fps\" is null"]),
    .init(name: "fps-huge", content: native(fps: "1e400"), expected: ["truncated or invalid JSON", "1e400"]),
    .init(name: "canvas-missing", content: #"{"format": "psgan-pose", "version": 1, "layout": "coco18", "fps": 30, "frames": []}"#,
          expected: [#"missing "canvas""#]),
    .init(name: "canvas-zero", content: native(canvas: #"{"width": 0, "height": 512}"#), expected: ["canvas.width", "above 0"]),
    .init(name: "canvas-array", content: native(canvas: "[512, 512]"), expected: [#""canvas" is an array"#]),
    .init(name: "frames-missing", content: #"{"format": "psgan-pose", "version": 1, "layout": "coco18", "fps": 30, "canvas": {"width": 1, "height": 1}}"#,
          expected: [#"missing "frames""#]),
    .init(name: "frames-empty", content: native(frames: "[]"), expected: ["at least one frame"]),
    .init(name: "frames-object", content: native(frames: "{}"), expected: [#""frames" is an object"#]),
    .init(name: "frame-not-array", content: native(frames: "[\(coco18Frame), 5]"), expected: ["frame 1:", "not an array"]),
    .init(name: "wrong-count-builtin", content: native(frames: "[[[1, 2, 0.5]]]"), expected: ["frame 0:", "has 1 keypoint; expected 18"]),
    .init(name: "ragged-custom",
          content: native(layout: #""rig""#, frames: "[[[1, 2, 1], [3, 4, 1]], [[1, 2, 1], [3, 4, 1]], [[1, 2, 1]]]"),
          expected: ["frame 2:", "has 1 keypoint; expected 2"]),
    .init(name: "x-string", content: badKeypoint(#"["1", 2, 0.5]"#), expected: ["frame 1, keypoint 3: x is not a finite number"]),
    .init(name: "y-bool", content: badKeypoint("[1, true, 0.5]"), expected: ["frame 1, keypoint 3: y is not a finite number (got true)"]),
    .init(name: "x-huge", content: badKeypoint("[1e999, 2, 0.5]"), expected: ["truncated or invalid JSON", "1e999"]),
    .init(name: "x-nan", content: badKeypoint("[NaN, 2, 0.5]"), expected: ["truncated or invalid JSON (line 3, column ", "NaN"]),
    .init(name: "y-infinity", content: badKeypoint("[1, Infinity, 0.5]"), expected: ["truncated or invalid JSON (line 3, column ", "Infinity"]),
    .init(name: "null-present", content: badKeypoint("[null, 2, 0.5]"), expected: ["frame 1, keypoint 3: x is not a finite number (got null)"]),
    .init(name: "confidence-negative", content: badKeypoint("[1, 2, -0.5]"), expected: ["frame 1, keypoint 3: confidence -0.5 is outside [0, 1]"]),
    .init(name: "confidence-above-one", content: badKeypoint("[1, 2, 1.5]"), expected: ["frame 1, keypoint 3: confidence 1.5"]),
    .init(name: "confidence-null", content: badKeypoint("[1, 2, null]"), expected: ["frame 1, keypoint 3: confidence is not a finite number"]),
    .init(name: "two-values", content: badKeypoint("[1, 2]"), expected: ["frame 1, keypoint 3: is an array of 2 values, not [x, y, confidence]"]),
    .init(name: "keypoint-object", content: badKeypoint(#"{"x": 1}"#), expected: ["frame 1, keypoint 3: is an object"]),
    .init(name: "names-wrong-count", content: native(extra: #" "keypoint_names": ["Nose"],"#), expected: ["keypoint_names", "18"]),
    .init(name: "names-wrong-order",
          content: native(extra: " \"keypoint_names\": [\(KeypointLayout.coco18.keypointNames.reversed().map { "\"\($0)\"" }.joined(separator: ", "))],"),
          expected: ["keypoint_names[0] is \"LEar\""]),
    .init(name: "names-not-strings", content: native(layout: #""rig""#, extra: #" "keypoint_names": [1, 2],"#), expected: ["keypoint_names[0] is the number 1"]),
    .init(name: "names-count-custom",
          content: native(layout: #""rig""#, extra: #" "keypoint_names": ["a", "b", "c"],"#, frames: "[[[1, 2, 1], [3, 4, 1]]]"),
          expected: ["frame 0:", "expected 3, as in keypoint_names"]),
    .init(name: "deep-nesting", content: String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
          expected: ["truncated or invalid JSON"]),
    .init(name: "people-not-array", content: #"{"version": 1.3, "people": 3}"#, expected: [#""people" is the number 3, not an array"#]),
]

/// Reading, writing, converting and mapping pose files.
