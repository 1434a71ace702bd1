import Foundation
import Testing
@testable import PSGANKit

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
}
