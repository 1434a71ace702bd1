import Foundation
import Testing
@testable import PSGANKit

// MARK: - Helpers

/// A fresh, empty directory under the system's temporary directory.
private func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("psgan-pose-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` as UTF-8 to `name` inside `directory`.
@discardableResult
private func writeFile(_ text: String, named name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}

/// Reads `url`, expecting a `PSGANError`, and returns its description.
private func readError(_ url: URL, canvas: CanvasSize? = nil,
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
private func openPoseJSON(_ people: [[Double]]) -> String {
    let entries = people.map { values in
        "{\"person_id\": [-1], \"pose_keypoints_2d\": [\(values.map { "\($0)" }.joined(separator: ","))], \"face_keypoints_2d\": []}"
    }
    return "{\"version\": 1.3, \"people\": [\(entries.joined(separator: ","))]}"
}

/// Flat OpenPose values for `count` keypoints where keypoint `i` is at (base + i, base + 100 + i).
private func openPoseValues(count: Int, base: Double, confidence: Double = 0.9) -> [Double] {
    (0..<count).flatMap { i in [base + Double(i), base + 100 + Double(i), confidence] }
}

/// A small native pose file: `frames` frames of `keypoints` keypoints in the given layout.
private func nativeJSON(layout: String = "coco18", keypoints: Int = 18, frames: Int = 2,
                        fps: String = "30", canvas: String = #"{"width": 640, "height": 480}"#) -> String {
    let frame = "[" + (0..<keypoints).map { "[\(10 + $0), \(20 + $0), 0.5]" }.joined(separator: ", ") + "]"
    return """
    {"format": "psgan-pose", "version": 1, "layout": "\(layout)", "fps": \(fps),
     "canvas": \(canvas),
     "frames": [\(Array(repeating: frame, count: frames).joined(separator: ",\n"))]}
    """
}

/// A coco18 sequence with varied values (including a missing keypoint and awkward decimals).
private func sampleCoco18() -> PoseSequence {
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

private let coco18Frame = "[" + Array(repeating: "[1, 2, 0.5]", count: 18).joined(separator: ", ") + "]"

/// A native document with one field's text replaced (or the whole frames list).
private func native(format: String = #""psgan-pose""#, version: String = "1", layout: String = #""coco18""#,
                    fps: String = "30", canvas: String = #"{"width": 512, "height": 512}"#,
                    extra: String = "", frames: String? = nil) -> String {
    """
    {"format": \(format), "version": \(version), "layout": \(layout), "fps": \(fps),
     "canvas": \(canvas),\(extra)
     "frames": \(frames ?? "[\(coco18Frame), \(coco18Frame)]")}
    """
}

/// Frame 1 of a two-frame coco18 document with keypoint 3 replaced by `keypoint`.
private func badKeypoint(_ keypoint: String) -> String {
    var items = Array(repeating: "[1, 2, 0.5]", count: 18)
    items[3] = keypoint
    return native(frames: "[\(coco18Frame), [\(items.joined(separator: ", "))]]")
}

private let malformedCases: [MalformedPoseFile] = [
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
@Suite struct PoseFileTests {
    // MARK: - Layouts and keypoints

    @Test func builtInLayoutsHaveOpenPoseOrder() throws {
        #expect(KeypointLayout.coco18.count == 18)
        #expect(KeypointLayout.body25.count == 25)
        #expect(KeypointLayout.coco18.keypointNames[8] == "RHip")
        #expect(KeypointLayout.coco18.keypointNames[17] == "LEar")
        #expect(KeypointLayout.body25.keypointNames[8] == "MidHip")
        #expect(KeypointLayout.body25.keypointNames[24] == "RHeel")
        #expect(KeypointLayout.builtIn(named: "coco18") == .coco18)
        #expect(KeypointLayout.builtIn(named: "BODY_25") == .body25)
        #expect(KeypointLayout.builtIn(named: "COCO-18") == .coco18)
        #expect(KeypointLayout.builtIn(named: "mpi15") == nil)
        #expect(Keypoint.missing.isPresent == false)
        #expect(Keypoint(x: 1, y: 2, confidence: 0.1).isPresent)
    }

    // MARK: - Native format

    @Test func nativeRoundTripThroughWriter() throws {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("round.json")
        let poses = sampleCoco18()
        try PoseFileWriter.write(poses, to: url)

        let read = try PoseFileReader.read(url)
        #expect(read == poses)
        #expect(read.fps == 24)
        #expect(read.frames[1][4] == .missing)

        // Compact, one frame per line, no leftover temporary files.
        let text = try String(contentsOf: url, encoding: .utf8)
        let frameLines = text.split(separator: "\n").filter { $0.hasPrefix("  [[") }
        #expect(frameLines.count == 3)
        #expect(text.contains("[0, 0, 0]"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["round.json"])

        // Writing again replaces the file.
        var shorter = poses
        shorter.frames = [poses.frames[0]]
        try PoseFileWriter.write(shorter, to: url)
        #expect(try PoseFileReader.read(url).frameCount == 1)
    }

    @Test func writerRoundsToFourDecimals() throws {
        #expect(PoseFileWriter.number(256) == "256")
        #expect(PoseFileWriter.number(12.5) == "12.5")
        #expect(PoseFileWriter.number(1.0 / 3) == "0.3333")
        #expect(PoseFileWriter.number(-0.00001) == "0")
        #expect(PoseFileWriter.number(-2.71828) == "-2.7183")
        #expect("a\"b\\c\n".jsonQuoted == #""a\"b\\c\n""#)

        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("tiny.json")
        var poses = sampleCoco18()
        poses.frames[0][0] = Keypoint(x: 1.23456789, y: 2, confidence: 0.00001)
        try PoseFileWriter.write(poses, to: url)
        let first = try PoseFileReader.read(url).frames[0][0]
        #expect(first.x == 1.2346)
        #expect(first.isPresent)  // a tiny confidence is not rounded down to "missing"
    }

    @Test func writerCustomLayoutRoundTrip() throws {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("custom.json")
        let frames = [[Keypoint(x: 1, y: 2, confidence: 1), .missing, Keypoint(x: 5, y: 6, confidence: 0.5)]]
        let poses = PoseSequence(layout: "my \"rig\"", keypointCount: 3, fps: 12.5,
                                 canvasWidth: 100, canvasHeight: 50, frames: frames)
        try PoseFileWriter.write(poses, to: url)
        #expect(try PoseFileReader.read(url) == poses)
    }

    @Test func writerErrorsNameThePath() throws {
        let directory = try makeTemporaryDirectory()
        let missingFolder = directory.appendingPathComponent("no-such-folder/out.json")
        do {
            try PoseFileWriter.write(sampleCoco18(), to: missingFolder)
            Issue.record("writing into a missing folder succeeded")
        } catch let error as PSGANError where error.kind == .poses {
            #expect(error.description.contains("no-such-folder/out.json"))
            #expect(error.description.contains("cannot write"))
        }

        var noFPS = sampleCoco18()
        noFPS.fps = nil
        let url = directory.appendingPathComponent("nofps.json")
        expectError(.poses) { try PoseFileWriter.write(noFPS, to: url) }
        #expect(!FileManager.default.fileExists(atPath: url.path))

        var ragged = sampleCoco18()
        ragged.frames[2].removeLast()
        do {
            try PoseFileWriter.write(ragged, to: url)
            Issue.record("writing a ragged sequence succeeded")
        } catch let error as PSGANError where error.kind == .poses {
            #expect(error.description.contains("nofps.json: frame 2"))
        }

        var nonFinite = sampleCoco18()
        nonFinite.frames[0][3].x = .nan
        do {
            try PoseFileWriter.write(nonFinite, to: url)
            Issue.record("writing NaN succeeded")
        } catch let error as PSGANError where error.kind == .poses {
            #expect(error.description.contains("frame 0, keypoint 3"))
        }
    }

    @Test func nativeAcceptsNullPositionForMissingKeypoints() throws {
        let directory = try makeTemporaryDirectory()
        let url = try writeFile("""
        {"format": "psgan-pose", "version": 1, "layout": "triangle", "fps": 25,
         "canvas": {"width": 100, "height": 100}, "keypoint_names": ["a", "b", "c"],
         "frames": [[[1, 2, 1], [null, null, 0], [3.5, 4, 0.25]],
                    [[1, 2, 1], [7, 8, 0], [3.5, 4, 0.25]]]}
        """, named: "nulls.json", in: directory)
        let poses = try PoseFileReader.read(url)
        #expect(poses.layout == "triangle")
        #expect(poses.keypointCount == 3)
        #expect(poses.fps == 25)
        #expect(poses.frames[0][1] == .missing)
        #expect(!poses.frames[1][1].isPresent)
        #expect(poses.frames[0][2] == Keypoint(x: 3.5, y: 4, confidence: 0.25))
    }

    @Test func nativeLayoutNamesAreCanonicalised() throws {
        let directory = try makeTemporaryDirectory()
        let url = try writeFile(nativeJSON(layout: "COCO-18"), named: "upper.json", in: directory)
        let poses = try PoseFileReader.read(url)
        #expect(poses.layout == "coco18")
        #expect(poses.canvasWidth == 640 && poses.canvasHeight == 480)
    }

    @Test func canvasArgumentOverridesNativeCanvas() throws {
        let directory = try makeTemporaryDirectory()
        let url = try writeFile(nativeJSON(), named: "override.json", in: directory)
        let poses = try PoseFileReader.read(url, canvas: CanvasSize(width: 1920, height: 1080))
        #expect(poses.canvasWidth == 1920 && poses.canvasHeight == 1080)
        #expect(poses.fps == 30)
    }

    // MARK: - OpenPose

    @Test func openPoseDirectoryCOCO18() throws {
        let directory = try makeTemporaryDirectory()
        let op = directory.appendingPathComponent("op", isDirectory: true)
        try FileManager.default.createDirectory(at: op, withIntermediateDirectories: true)
        // Written out of order; frame 1 has two people (the first wins); frame 2 has nobody.
        try writeFile(openPoseJSON([openPoseValues(count: 18, base: 1000)]), named: "clip_000000000002_keypoints.json", in: op)
        try writeFile(openPoseJSON([openPoseValues(count: 18, base: 0)]), named: "clip_000000000000_keypoints.json", in: op)
        try writeFile(openPoseJSON([openPoseValues(count: 18, base: 500), openPoseValues(count: 18, base: 9000)]),
                      named: "clip_000000000001_keypoints.json", in: op)
        try writeFile(openPoseJSON([]), named: "clip_000000000003_keypoints.json", in: op)
        try writeFile("not a keypoints file", named: "notes.txt", in: op)

        let poses = try PoseFileReader.read(op, canvas: CanvasSize(width: 640, height: 480))
        #expect(poses.layout == "coco18")
        #expect(poses.keypointCount == 18)
        #expect(poses.fps == nil)
        #expect(poses.canvasWidth == 640 && poses.canvasHeight == 480)
        #expect(poses.frameCount == 4)
        #expect(poses.frames[0][0] == Keypoint(x: 0, y: 100, confidence: 0.9))
        #expect(poses.frames[0][17] == Keypoint(x: 17, y: 117, confidence: 0.9))
        #expect(poses.frames[1][3] == Keypoint(x: 503, y: 603, confidence: 0.9))
        #expect(poses.frames[2][0].x == 1000)
        #expect(poses.frames[3].count == 18)
        #expect(poses.frames[3].allSatisfy { !$0.isPresent })
    }

    @Test func openPoseDirectorySortsNumbersNaturally() throws {
        let directory = try makeTemporaryDirectory()
        for n in [10, 2, 1] {
            try writeFile(openPoseJSON([openPoseValues(count: 18, base: Double(n))]), named: "f\(n)_keypoints.json", in: directory)
        }
        let poses = try PoseFileReader.read(directory, canvas: CanvasSize(width: 100, height: 100))
        #expect(poses.frames.map { $0[0].x } == [1, 2, 10])
    }

    @Test func openPoseZeroConfidenceIsMissing() throws {
        let directory = try makeTemporaryDirectory()
        var values = openPoseValues(count: 18, base: 0)
        values[3 * 5 ..< 3 * 5 + 3] = [0, 0, 0]
        let url = try writeFile(openPoseJSON([values]), named: "single_keypoints.json", in: directory)
        let poses = try PoseFileReader.read(url, canvas: CanvasSize(width: 320, height: 240))
        #expect(poses.frameCount == 1)
        #expect(poses.frames[0][5] == .missing)
        #expect(poses.frames[0][6].isPresent)
    }

    @Test func openPoseBody25ConvertsToCOCO18() throws {
        let directory = try makeTemporaryDirectory()
        // BODY_25 keypoint i at (i * 10, i * 10 + 1); feet and MidHip must disappear.
        let values = (0..<25).flatMap { i in [Double(i) * 10, Double(i) * 10 + 1, 0.8] }
        try writeFile(openPoseJSON([values]), named: "000000_keypoints.json", in: directory)
        try writeFile(openPoseJSON([values]), named: "000001_keypoints.json", in: directory)
        let body = try PoseFileReader.read(directory, canvas: CanvasSize(width: 512, height: 512))
        #expect(body.layout == "body25")
        #expect(body.keypointCount == 25)

        let coco = try body.converted(toLayout: "coco18", keypointCount: 18)
        #expect(coco.layout == "coco18")
        #expect(coco.keypointCount == 18)
        #expect(coco.frameCount == 2)
        // coco18 index -> body25 index, checked by hand against the two OpenPose tables.
        let expected: [Int: Int] = [0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7,
                                    8: 9, 9: 10, 10: 11, 11: 12, 12: 13, 13: 14,
                                    14: 15, 15: 16, 16: 17, 17: 18]
        for (c, b) in expected {
            #expect(coco.frames[0][c].x == Double(b) * 10, "coco18 keypoint \(c) should come from body25 \(b)")
            #expect(coco.frames[1][c].y == Double(b) * 10 + 1)
        }
    }

    @Test func coco18ConvertsToBody25() throws {
        var frame = (0..<18).map { Keypoint(x: Double($0) * 10, y: 200 + Double($0), confidence: 0.9) }
        frame[11].confidence = 0.6  // LHip
        var oneHip = frame
        oneHip[8] = .missing         // RHip
        let poses = PoseSequence(layout: "coco18", keypointCount: 18, fps: 30, canvasWidth: 100, canvasHeight: 100,
                                 frames: [frame, oneHip])
        let body = try poses.converted(toLayout: "body25", keypointCount: 25)
        #expect(body.layout == "body25")
        #expect(body.keypointCount == 25)
        #expect(body.frames.allSatisfy { $0.count == 25 })
        // MidHip = midpoint of RHip (coco 8: x 80, y 208) and LHip (coco 11: x 110, y 211).
        #expect(body.frames[0][8] == Keypoint(x: 95, y: 209.5, confidence: 0.6))
        #expect(body.frames[1][8] == .missing)
        #expect(body.frames[0][9] == frame[8])    // RHip
        #expect(body.frames[0][14] == frame[13])  // LAnkle
        #expect(body.frames[0][18] == frame[17])  // LEar
        #expect(body.frames[0][19...].allSatisfy { $0 == .missing })  // feet
        // And back again.
        #expect(try body.converted(toLayout: "coco18", keypointCount: 18) == poses)
    }

    @Test func conversionIdentityAndErrors() throws {
        let poses = sampleCoco18()
        #expect(try poses.converted(toLayout: "coco18", keypointCount: 18) == poses)
        #expect(try poses.converted(toLayout: "COCO_18", keypointCount: 18) == poses)

        do {
            _ = try poses.converted(toLayout: "mpi15", keypointCount: 15)
            Issue.record("converting to mpi15 succeeded")
        } catch let error as PSGANError where error.kind == .poses {
            #expect(error.description.contains("the pose layout 'coco18' does not match the model's layout 'mpi15'"))
            #expect(error.description.contains("only coco18 and body25"))
        }
        expectError(.poses) { try poses.converted(toLayout: "coco18", keypointCount: 17) }

        let custom = PoseSequence(layout: "rig", keypointCount: 2, fps: nil, canvasWidth: 1, canvasHeight: 1,
                                  frames: [[.missing, .missing]])
        #expect(try custom.converted(toLayout: "rig", keypointCount: 2) == custom)
        expectError(.poses) { try custom.converted(toLayout: "rig", keypointCount: 3) }
        expectError(.poses) { try custom.converted(toLayout: "body25", keypointCount: 25) }
    }

    @Test func openPoseErrorsNameTheFile() throws {
        let directory = try makeTemporaryDirectory()

        let empty = directory.appendingPathComponent("empty", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try writeFile("{}", named: "unrelated.json", in: empty)
        let noFiles = readError(empty, canvas: CanvasSize(width: 1, height: 1))
        #expect(noFiles.contains("empty: no *_keypoints.json files in this directory"))

        let op = directory.appendingPathComponent("op", isDirectory: true)
        try FileManager.default.createDirectory(at: op, withIntermediateDirectories: true)
        try writeFile(openPoseJSON([openPoseValues(count: 18, base: 0)]), named: "000000_keypoints.json", in: op)
        let noCanvas = readError(op)
        #expect(noCanvas.contains("op: OpenPose files do not record the image size; pass --canvas WxH"))

        let short = try writeFile(openPoseJSON([openPoseValues(count: 17, base: 0)]), named: "000001_keypoints.json", in: op)
        let wrongCount = readError(op, canvas: CanvasSize(width: 640, height: 480))
        #expect(wrongCount.contains("op/000001_keypoints.json: pose_keypoints_2d has 51 values; expected 54 (COCO-18) or 75 (BODY_25)"))

        try writeFile(openPoseJSON([openPoseValues(count: 25, base: 0)]), named: "000001_keypoints.json", in: op)
        _ = short
        let mixed = readError(op, canvas: CanvasSize(width: 640, height: 480))
        #expect(mixed.contains("000001_keypoints.json"))
        #expect(mixed.contains("BODY_25") && mixed.contains("COCO-18"))

        var badValues = openPoseValues(count: 18, base: 0)
        badValues[3 * 4 + 2] = -1
        try writeFile(openPoseJSON([badValues]), named: "000001_keypoints.json", in: op)
        let negative = readError(op, canvas: CanvasSize(width: 640, height: 480))
        #expect(negative.contains("000001_keypoints.json: keypoint 4: confidence"))

        try writeFile(#"{"version": 1.3, "people": [{"pose_keypoints_2d": "oops"}]}"#, named: "000001_keypoints.json", in: op)
        #expect(readError(op, canvas: CanvasSize(width: 640, height: 480)).contains("000001_keypoints.json: pose_keypoints_2d is a string"))

        try writeFile(#"{"version": 1.3, "people": [{"pose_keypoints_2d": [1, 2"#, named: "000001_keypoints.json", in: op)
        #expect(readError(op, canvas: CanvasSize(width: 640, height: 480)).contains("000001_keypoints.json: truncated or invalid JSON"))

        let nobody = directory.appendingPathComponent("nobody", isDirectory: true)
        try FileManager.default.createDirectory(at: nobody, withIntermediateDirectories: true)
        try writeFile(openPoseJSON([]), named: "0_keypoints.json", in: nobody)
        #expect(readError(nobody, canvas: CanvasSize(width: 640, height: 480)).contains("nobody: nobody is in any frame"))

        let single = try writeFile(openPoseJSON([openPoseValues(count: 25, base: 0)]), named: "one_keypoints.json", in: directory)
        #expect(readError(single).contains("one_keypoints.json: OpenPose files do not record the image size"))
        #expect(readError(single, canvas: CanvasSize(width: 0, height: 480)).contains("one_keypoints.json: the canvas size must be positive"))
    }

    // MARK: - Canvas mapping

    @Test func canvasMappingFitsAndCentres() throws {
        let mapping = CanvasMapping(fitting: 640, height: 480, into: 256)
        #expect(mapping.scale == 0.4)
        #expect(mapping.offsetX == 0)
        #expect(mapping.offsetY == 32)
        #expect(mapping.apply(Keypoint(x: 0, y: 0, confidence: 0.7)) == Keypoint(x: 0, y: 32, confidence: 0.7))
        #expect(mapping.apply(Keypoint(x: 320, y: 240, confidence: 1)) == Keypoint(x: 128, y: 128, confidence: 1))
        #expect(mapping.apply(Keypoint(x: 640, y: 480, confidence: 0.2)) == Keypoint(x: 256, y: 224, confidence: 0.2))
        #expect(mapping.apply(.missing) == .missing)

        let portrait = CanvasMapping(fitting: 480, height: 640, into: 256)
        #expect(portrait == CanvasMapping(scale: 0.4, offsetX: 32, offsetY: 0))

        let identity = CanvasMapping(fitting: 256, height: 256, into: 256)
        #expect(identity == CanvasMapping(scale: 1, offsetX: 0, offsetY: 0))
        let point = Keypoint(x: 12.345, y: 250.5, confidence: 0.3)
        #expect(identity.apply(point) == point)

        let upscale = CanvasMapping(fitting: 128, height: 64, into: 256)
        #expect(upscale == CanvasMapping(scale: 2, offsetX: 0, offsetY: 64))

        #expect(CanvasMapping(fitting: 0, height: 0, into: 256) == CanvasMapping(scale: 1, offsetX: 0, offsetY: 0))
    }

    @Test func mappedSequenceLandsOnTheSquareCanvas() throws {
        var poses = sampleCoco18()  // 640 x 480
        poses.frames[0][0] = Keypoint(x: 320, y: 240, confidence: 0.5)
        let mapped = poses.mapped(to: CanvasMapping(fitting: poses.canvasWidth, height: poses.canvasHeight, into: 256))
        #expect(mapped.canvasWidth == 256 && mapped.canvasHeight == 256)
        #expect(mapped.frames[0][0] == Keypoint(x: 128, y: 128, confidence: 0.5))
        #expect(mapped.frames[1][4] == .missing)
        #expect(mapped.fps == poses.fps && mapped.layout == poses.layout && mapped.frameCount == poses.frameCount)

        let odd = PoseSequence(layout: "coco18", keypointCount: 18, fps: 30, canvasWidth: 1920, canvasHeight: 1080,
                               frames: [Array(repeating: .missing, count: 18)])
        let oddMapped = odd.mapped(to: CanvasMapping(fitting: 1920, height: 1080, into: 384))
        #expect(oddMapped.canvasWidth == 384 && oddMapped.canvasHeight == 384)

        let square = sampleCoco18()
        var same = square
        same.canvasWidth = 256
        same.canvasHeight = 256
        #expect(same.mapped(to: CanvasMapping(fitting: 256, height: 256, into: 256)) == same)
    }

    // MARK: - Malformed input

    @Test(arguments: malformedCases)
    func malformedNativeFilesGiveErrorsNamingTheFile(_ testCase: MalformedPoseFile) throws {
        let directory = try makeTemporaryDirectory()
        let url = try writeFile(testCase.content, named: "\(testCase.name).json", in: directory)
        let message = readError(url, canvas: testCase.name == "people-not-array" ? CanvasSize(width: 10, height: 10) : nil)
        #expect(message.contains("\(testCase.name).json: "), "message: \(message)")
        for part in testCase.expected {
            #expect(message.contains(part), "message: \(message)")
        }
        #expect(!message.contains("\n"), "messages are one line: \(message)")
    }

    @Test func notUTF8IsAnError() throws {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("latin1.json")
        try Data([0x7B, 0x22, 0x66, 0xE9, 0xFF, 0x22, 0x7D]).write(to: url)
        let message = readError(url)
        #expect(message.contains("latin1.json: not UTF-8"))
    }

    @Test func missingAndOversizedFilesAreErrors() throws {
        let directory = try makeTemporaryDirectory()
        let missing = directory.appendingPathComponent("nowhere.json")
        #expect(readError(missing).contains("nowhere.json: no such file or directory"))

        // A sparse file just over the limit: nothing is read into memory.
        let huge = directory.appendingPathComponent("huge.json")
        _ = FileManager.default.createFile(atPath: huge.path, contents: Data("{".utf8))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(PoseFileReader.maximumFileSize) + 1)
        try handle.close()
        let message = readError(huge)
        #expect(message.contains("huge.json: the file is too large"))
    }

    @Test func relativePathsStayRelativeInMessages() throws {
        let directory = try makeTemporaryDirectory()
        try writeFile("{}", named: "walk.json", in: directory)
        let relative = URL(fileURLWithPath: "walk.json", relativeTo: directory)
        #expect(readError(relative) == #"walk.json: not a psgan pose file (missing "format")"#)

        let op = directory.appendingPathComponent("op", isDirectory: true)
        try FileManager.default.createDirectory(at: op, withIntermediateDirectories: true)
        try writeFile(openPoseJSON([openPoseValues(count: 17, base: 0)]), named: "000001_keypoints.json", in: op)
        let relativeDirectory = URL(fileURLWithPath: "op", relativeTo: directory)
        #expect(readError(relativeDirectory, canvas: CanvasSize(width: 640, height: 480))
                == "op/000001_keypoints.json: pose_keypoints_2d has 51 values; expected 54 (COCO-18) or 75 (BODY_25)")
    }

    @Test func symbolicLinksToSpecialFilesAreRefused() throws {
        let directory = try makeTemporaryDirectory()
        let link = directory.appendingPathComponent("zero.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/dev/zero")
        #expect(readError(link).contains("zero.json: not a regular file"))

        let good = try writeFile(nativeJSON(), named: "real.json", in: directory)
        let goodLink = directory.appendingPathComponent("linked.json")
        try FileManager.default.createSymbolicLink(atPath: goodLink.path, withDestinationPath: good.path)
        #expect(try PoseFileReader.read(goodLink).frameCount == 2)
    }

    // MARK: - Bundled sample

    @Test func bundledWalkPoseParses() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // PSGANKitTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        let poses = try PoseFileReader.read(root.appendingPathComponent("poses/walk.json"))
        #expect(poses.layout == "coco18")
        #expect(poses.keypointCount == 18)
        #expect(poses.frameCount == 120)
        #expect(poses.fps == 30)
        #expect(poses.canvasWidth == 512 && poses.canvasHeight == 512)
        #expect(poses.frames.allSatisfy { frame in frame.allSatisfy { $0.isPresent } })
        let points = poses.frames.flatMap { $0 }
        let ys = points.map(\.y), xs = points.map(\.x)
        #expect(try #require(ys.min()) > 40 && #require(ys.max()) < 472)
        #expect(try #require(xs.min()) > 40 && #require(xs.max()) < 472)
        // Ankles lower than hips, hips lower than the nose, in every frame.
        for frame in poses.frames {
            #expect(frame[10].y > frame[8].y && frame[13].y > frame[11].y)
            #expect(frame[8].y > frame[0].y)
        }
    }

    // MARK: - JSON parsing

    @Test func jsonParserReadsNumbersExactly() throws {
        var generator = SystemRandomNumberGenerator()
        var samples = ["0", "-0", "0.1", "1.5e3", "1E-5", "-2.5E+2", "123456789012345678", "0.30000000000000004",
                       "9007199254740993", "1e22", "1e23", "4.9e-324", "1.7976931348623157e308", "12345.678901234567"]
        for _ in 0..<2000 {
            let whole = Int.random(in: -5000...5000, using: &generator)
            let fraction = Int.random(in: 0...999_999, using: &generator)
            samples.append("\(whole).\(String(fraction))")
            samples.append("\(Double.random(in: -1e6...1e6, using: &generator))")
        }
        for text in samples {
            let value = try PoseFileReader.JSONValue.parse(Data(text.utf8))
            let expected = try #require(Double(text))
            #expect(value == .number(expected), "\(text)")
        }
        // JSONSerialization refuses numbers beyond a Double; any that came back infinite would be marked.
        #expect(throws: PoseFileReader.JSONValue.SyntaxError.self) { try PoseFileReader.JSONValue.parse(Data("1e400".utf8)) }
        #expect(try PoseFileReader.JSONValue(foundation: NSNumber(value: Double.infinity)) == .unrepresentableNumber)
    }

    @Test func jsonParserStringsAndStructure() throws {
        let text = #" {"a\"b": ["\u00e9\ud83d\ude00\n", true, false, null, {}, []], "a\"b": 2, "c": "é"} "#
        let value = try PoseFileReader.JSONValue.parse(Data(text.utf8))
        #expect(value == .object(["a\"b": .number(2), "c": .string("é")]))  // the last duplicate wins
        let array = try PoseFileReader.JSONValue.parse(Data(#"["\u00e9\ud83d\ude00\n\/", true, false, null, {}, []]"#.utf8))
        #expect(array == .array([.string("é😀\n/"), .bool(true), .bool(false), .null, .object([:]), .array([])]))
        // Foundation returns true, false, 1 and 0 all as NSNumber; only the booleans become .bool.
        let numbers = try PoseFileReader.JSONValue.parse(Data("[1, 0, 1.0, true, false]".utf8))
        #expect(numbers == .array([.number(1), .number(0), .number(1), .bool(true), .bool(false)]))
        #expect(try PoseFileReader.JSONValue.parse(Data("true".utf8)) == .bool(true))
        #expect(try PoseFileReader.JSONValue.parse(Data("1".utf8)) == .number(1))

        // (Foundation accepts a trailing comma, "[1,]" and "{"a": 1,}", so those are no longer here.)
        for bad in ["[01]", "[1.]", "[.5]", "[+1]", "[1e]", "{\"a\" 1}", "{1: 2}", "[\"\\x\"]", "[\"\\ud800\"]",
                    "[\"a\nb\"]", "[tru]", "[1] [2]", "[-]", "[\"\\u12\"]"] {
            #expect(throws: PoseFileReader.JSONValue.SyntaxError.self, "\(bad)") {
                try PoseFileReader.JSONValue.parse(Data(bad.utf8))
            }
        }
        let (line, column) = PoseFileReader.JSONValue.lineAndColumn(of: 7, in: Array("ab\ncdefgh".utf8))
        #expect(line == 2 && column == 5)
        let (_, accented) = PoseFileReader.JSONValue.lineAndColumn(of: 5, in: Array("éé x".utf8))
        #expect(accented == 4)  // columns count characters, not bytes
    }

    @Test func damagedFilesNeverCrash() throws {
        let directory = try makeTemporaryDirectory()
        let original = Array(nativeJSON(keypoints: 18, frames: 3).utf8)
        var generator = SystemRandomNumberGenerator()
        var variants: [[UInt8]] = stride(from: 0, to: original.count, by: 7).map { Array(original[..<$0]) }
        let replacements = Array("{}[],:\"\\-0e.9nNtI \n".utf8) + [0x00, 0xFF, 0xC3]
        for _ in 0..<200 {
            var damaged = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<damaged.count, using: &generator)
                damaged[at] = replacements.randomElement(using: &generator) ?? 0
            }
            variants.append(damaged)
        }
        let url = directory.appendingPathComponent("damaged.json")
        var badMessages: [String] = []
        for bytes in variants {
            try Data(bytes).write(to: url)
            do {
                _ = try PoseFileReader.read(url)
            } catch let error as PSGANError where error.kind == .poses {
                let message = error.description
                if !message.hasPrefix(url.path + ": ") || message.contains("\n") { badMessages.append(message) }
            }
        }
        #expect(badMessages.isEmpty)
    }
}
