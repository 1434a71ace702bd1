import Foundation
import Testing
@testable import PSGANKit

/// Writes `text` to a new file `name` in a fresh temporary directory.
private func fixture(_ text: String, named name: String = "input.json") throws -> URL {
    let url = try TestPaths.temporaryDirectory().appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}

/// The description of the ``PSGANError`` that reading `url` throws ("" and an issue if none).
private func readFailure(_ url: URL, _ options: PoseReadOptions = PoseReadOptions(),
                         sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        let poses = try PoseFileReader.read(url, options: options)
        Issue.record("expected a PSGANError, read \(poses.frameCount) frames", sourceLocation: sourceLocation)
    } catch let error as PSGANError where error.kind == .poses {
        #expect(!error.description.contains("\n"), "one line", sourceLocation: sourceLocation)
        return error.description
    } catch {
        Issue.record("expected a PSGANError, got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

/// 18 OpenPose keypoints (flat x, y, c) with keypoint i at (x0 + i * step, y0 + i * step).
private func flat18(x0: Double, y0: Double, step: Double, c: Double = 1) -> String {
    (0..<18).map { "\(x0 + Double($0) * step), \(y0 + Double($0) * step), \(c)" }.joined(separator: ", ")
}

/// COCO-17 `[x, y, v] * 17` values with keypoint i at (x0 + i, y0 + i), visibility `v` unless overridden.
private func coco51(x0: Double, y0: Double, scale: Double = 1, v: Int = 2, overrides: [Int: (Double, Double, Int)] = [:]) -> String {
    (0..<17).map { i in
        let (x, y, vis) = overrides[i] ?? (x0 + Double(i) * scale, y0 + Double(i) * scale, v)
        return "\(x), \(y), \(vis)"
    }.joined(separator: ", ")
}

@Suite struct PoseInputTests {
    // MARK: - Person selection and COCO-17

    @Test func largestPersonIsChosenByBoundingBoxArea() {
        let small = [Keypoint(x: 0, y: 0, confidence: 1), Keypoint(x: 10, y: 10, confidence: 1)]
        let big = [Keypoint(x: 0, y: 0, confidence: 1), Keypoint(x: 30, y: 5, confidence: 1), Keypoint(x: 500, y: 500, confidence: 0)]
        #expect(PersonSelection.boundingBoxArea(small) == 100)
        #expect(PersonSelection.boundingBoxArea(big) == 150)  // the missing keypoint does not count
        #expect(PersonSelection.largest.choose(from: [small, big]) == 1)
        #expect(PersonSelection.largest.choose(from: [big, big]) == 0)  // ties: the first
        #expect(PersonSelection.index(0).choose(from: [small, big]) == 0)
        #expect(PersonSelection.index(2).choose(from: [small, big]) == nil)
        #expect(PersonSelection.largest.choose(from: []) == nil)
    }

    @Test func coco17NeckIsMadeFromTheShoulders() {
        var points = [Keypoint](repeating: Keypoint(x: 1, y: 1, confidence: 1), count: 17)
        points[5] = Keypoint(x: 10, y: 20, confidence: 1)    // left shoulder
        points[6] = Keypoint(x: 30, y: 40, confidence: 0.5)  // right shoulder
        points[0] = Keypoint(x: 7, y: 8, confidence: 0.9)    // nose
        points[16] = Keypoint(x: 3, y: 4, confidence: 0.8)   // right ankle
        let coco18 = COCO17.toCOCO18(points)
        #expect(coco18[1] == Keypoint(x: 20, y: 30, confidence: 0.5))
        #expect(coco18[0] == Keypoint(x: 7, y: 8, confidence: 0.9))
        #expect(coco18[2] == points[6] && coco18[5] == points[5])  // RShoulder, LShoulder
        #expect(coco18[10] == points[16])                          // RAnkle
        points[6] = .missing
        #expect(!COCO17.toCOCO18(points)[1].isPresent)
    }

    // MARK: - OpenPose

    @Test func openPoseTakesTheLargestPersonOrTheOneAsked() throws {
        let json = #"{"people": [{"pose_keypoints_2d": [\#(flat18(x0: 0, y0: 0, step: 1))]}, {"pose_keypoints_2d": [\#(flat18(x0: 100, y0: 100, step: 5))]}]}"#
        let url = try fixture(json, named: "two_keypoints.json")
        let largest = try PoseFileReader.read(url, options: PoseReadOptions(canvas: CanvasSize(width: 640, height: 480)))
        #expect(largest.frames[0][0].x == 100)
        let first = try PoseFileReader.read(url, options: PoseReadOptions(person: .index(0), canvas: CanvasSize(width: 640, height: 480)))
        #expect(first.frames[0][0].x == 0)
        #expect(readFailure(url, PoseReadOptions(person: .index(5), canvas: CanvasSize(width: 640, height: 480))).contains("no frame has person 5"))
    }

    // MARK: - ComfyUI

    @Test func comfyUINormalisedCoordinatesAreScaledToTheCanvas() throws {
        let frame = #"{"people": [{"pose_keypoints_2d": [\#(flat18(x0: 0.1, y0: 0.2, step: 0.01))], "face_keypoints_2d": null}], "canvas_width": 200, "canvas_height": 100}"#
        let url = try fixture("[\(frame), \(frame)]")
        #expect(try PoseFileReader.format(of: url) == .comfyui)
        let poses = try PoseFileReader.read(url)
        #expect(poses.layout == "coco18" && poses.frameCount == 2 && poses.fps == nil)
        #expect(poses.canvasWidth == 200 && poses.canvasHeight == 100)
        #expect(abs(poses.frames[1][0].x - 20) < 1e-9 && abs(poses.frames[1][0].y - 20) < 1e-9)
        #expect(abs(poses.frames[0][10].x - 40) < 1e-9 && abs(poses.frames[0][10].y - 30) < 1e-9)  // (0.2, 0.3)
    }

    @Test func comfyUIPixelCoordinatesStayAndPeopleWithoutBodiesAreSkipped() throws {
        let url = try fixture(#"[{"people": [{"pose_keypoints_2d": null}, {"pose_keypoints_2d": [\#(flat18(x0: 5, y0: 6, step: 2))]}], "canvas_width": 64, "canvas_height": 48}, {"people": [], "canvas_width": 64, "canvas_height": 48}]"#)
        let poses = try PoseFileReader.read(url)
        #expect(poses.frames[0][1] == Keypoint(x: 7, y: 8, confidence: 1))
        #expect(poses.frames[1].allSatisfy { !$0.isPresent })
        // A single frame object works too, and --canvas overrides the size.
        let single = try fixture(#"{"people": [{"pose_keypoints_2d": [\#(flat18(x0: 0.5, y0: 0.5, step: 0))]}], "canvas_width": 64, "canvas_height": 48}"#)
        let overridden = try PoseFileReader.read(single, options: PoseReadOptions(canvas: CanvasSize(width: 100, height: 10)))
        #expect(overridden.frames[0][0].x == 50 && overridden.frames[0][0].y == 5)
    }

    @Test func comfyUIErrorsNameTheFrame() throws {
        let good = #"{"people": [{"pose_keypoints_2d": [\#(flat18(x0: 5, y0: 6, step: 2))]}], "canvas_width": 64, "canvas_height": 48}"#
        let resized = try fixture(#"[\#(good), {"people": [], "canvas_width": 32, "canvas_height": 48}]"#, named: "resized.json")
        #expect(readFailure(resized).contains("/resized.json: frame 1: the canvas is 32x48 but frame 0's is 64x48"))
        let short = try fixture(#"[\#(good), {"people": [{"pose_keypoints_2d": [1, 2, 3]}], "canvas_width": 64, "canvas_height": 48}]"#, named: "short.json")
        #expect(readFailure(short).contains("short.json: frame 1: pose_keypoints_2d has 3 values"))
        let nan = try fixture(#"[{"people": [{"pose_keypoints_2d": [1, "x", 1]}], "canvas_width": -1, "canvas_height": 48}]"#, named: "bad.json")
        #expect(readFailure(nan).contains("bad.json: frame 0: canvas_width is the number -1"))
    }

    // MARK: - COCO

    @Test func cocoAnnotationsBecomeFramesWithANeck() throws {
        let json = """
            {"images": [{"id": 7, "file_name": "f10.jpg", "width": 640, "height": 480},
                        {"id": 3, "file_name": "f2.jpg", "width": 640, "height": 480},
                        {"id": 5, "file_name": "f9.jpg", "width": 640, "height": 480}],
             "annotations": [
                {"image_id": 3, "keypoints": [\(coco51(x0: 100, y0: 200, overrides: [5: (10, 20, 2), 6: (30, 40, 1), 1: (0, 0, 0)]))]},
                {"image_id": 7, "keypoints": [\(coco51(x0: 0, y0: 0, scale: 1))]},
                {"image_id": 7, "keypoints": [\(coco51(x0: 50, y0: 50, scale: 10))]},
                {"image_id": 7, "bbox": [1, 2, 3, 4]}]}
            """
        let url = try fixture(json)
        #expect(try PoseFileReader.format(of: url) == .coco)
        let poses = try PoseFileReader.read(url)
        #expect(poses.layout == "coco18" && poses.frameCount == 3 && poses.canvasWidth == 640 && poses.canvasHeight == 480)
        // Frame 0 is image 3: neck from the shoulders (v=1 gives 0.5), left eye (COCO 1) missing.
        #expect(poses.frames[0][1] == Keypoint(x: 20, y: 30, confidence: 0.5))
        #expect(poses.frames[0][2] == Keypoint(x: 30, y: 40, confidence: 0.5))  // RShoulder from COCO 6
        #expect(!poses.frames[0][15].isPresent)                                   // LEye
        #expect(poses.frames[0][0] == Keypoint(x: 100, y: 200, confidence: 1))
        // Frame 1 is image 5: no annotations, nobody.
        #expect(poses.frames[1].allSatisfy { !$0.isPresent })
        // Frame 2 is image 7: the larger person, or the first with --person 0.
        #expect(poses.frames[2][0].x == 50)
        #expect(try PoseFileReader.read(url, options: PoseReadOptions(person: .index(0))).frames[2][0].x == 0)
        #expect(readFailure(url, PoseReadOptions(person: .index(2))).contains("no frame has person 2"))
        // File-name order: f2, f9, f10.
        let byName = try PoseFileReader.read(url, options: PoseReadOptions(cocoOrder: .name))
        #expect(byName.frames[0] == poses.frames[0] && byName.frames[2] == poses.frames[2])
    }

    @Test func malformedCOCOFilesNameTheProblem() throws {
        let short = try fixture(#"{"images": [{"id": 1, "width": 8, "height": 8}], "annotations": [{"image_id": 1, "keypoints": [1, 2, 2]}]}"#, named: "short.json")
        #expect(readFailure(short).hasSuffix("/short.json: frame 0: annotations[0].keypoints has 3 values; expected 51 ([x, y, v] for 17 keypoints)"))
        let visibility = try fixture(#"{"images": [{"id": 1, "width": 8, "height": 8}], "annotations": [{"image_id": 1, "keypoints": [\#(coco51(x0: 0, y0: 0, v: 3))]}]}"#, named: "v.json")
        #expect(readFailure(visibility).contains("v.json: frame 0: annotations[0]: v of nose is 3"))
        let orphan = try fixture(#"{"images": [{"id": 1, "width": 8, "height": 8}], "annotations": [{"image_id": 9, "keypoints": []}]}"#, named: "orphan.json")
        #expect(readFailure(orphan).contains("annotations[0].image_id is the number 9, which names no image"))
        let sizes = try fixture(#"{"images": [{"id": 1, "width": 8, "height": 8}, {"id": 2, "width": 9, "height": 8}], "annotations": []}"#, named: "sizes.json")
        #expect(readFailure(sizes).contains("sizes.json: frame 1: the image is 9x8 but frame 0's is 8x8"))
        #expect(try PoseFileReader.read(sizes, options: PoseReadOptions(canvas: CanvasSize(width: 10, height: 10))).canvasWidth == 10)
    }

    // MARK: - MMPose

    @Test func mmposeVariantsAreRead() throws {
        func instance(_ x0: Double, _ step: Double, score: Double = 0.9) -> String {
            let points = (0..<17).map { "[\(x0 + Double($0) * step), \(x0 + Double($0) * step)]" }.joined(separator: ", ")
            let scores = (0..<17).map { $0 == 3 ? "0" : "\(score)" }.joined(separator: ", ")
            return #"{"keypoints": [\#(points)], "keypoint_scores": [\#(scores)], "bbox": [[0, 0, 1, 1]], "bbox_score": 1}"#
        }
        let video = try fixture(#"[{"frame_id": 0, "instances": [\#(instance(0, 1)), \#(instance(100, 3, score: 1.2))]}, {"frame_id": 1, "instances": []}]"#)
        #expect(try PoseFileReader.format(of: video) == .mmpose)
        let poses = try PoseFileReader.read(video, options: PoseReadOptions(canvas: CanvasSize(width: 640, height: 480)))
        #expect(poses.frameCount == 2 && poses.layout == "coco18")
        #expect(poses.frames[0][0] == Keypoint(x: 100, y: 100, confidence: 1))  // the larger one; 1.2 clamped to 1
        #expect(!poses.frames[0][17].isPresent)                                  // LEar is COCO 3, score 0
        #expect(poses.frames[0][16] == Keypoint(x: 112, y: 112, confidence: 1))  // REar is COCO 4
        #expect(poses.frames[0][1] == Keypoint(x: 116.5, y: 116.5, confidence: 1))  // neck: (115 + 118) / 2
        #expect(poses.frames[1].allSatisfy { !$0.isPresent })

        let image = try fixture("[\(instance(10, 1))]")
        #expect(try PoseFileReader.read(image, options: PoseReadOptions(canvas: CanvasSize(width: 64, height: 64))).frames[0][0].x == 10)
        let demo = try fixture(#"{"meta_info": {"dataset_name": "coco"}, "instance_info": [{"frame_id": 1, "instances": [\#(instance(20, 1))]}]}"#)
        #expect(try PoseFileReader.read(demo, options: PoseReadOptions(canvas: CanvasSize(width: 64, height: 64))).frames[0][0].x == 20)

        #expect(readFailure(video).contains("MMPose files do not record the image size; pass --canvas WxH"))
        let twelve = try fixture(#"[{"instances": [{"keypoints": [[1, 2]], "keypoint_scores": [1]}]}]"#, named: "one.json")
        #expect(readFailure(twelve, PoseReadOptions(canvas: CanvasSize(width: 8, height: 8))).hasSuffix("/one.json: frame 0: instance 0 has 1 keypoints; expected 17 (COCO), 26 (Halpe) or 133 (COCO-WholeBody)"))
    }

    // MARK: - Detection

    @Test func formatsAreToldFromTheContentOrForced() throws {
        let unknown = try fixture(#"{"hello": 1}"#, named: "hello.json")
        #expect(readFailure(unknown).hasSuffix(#"/hello.json: not a psgan pose file (missing "format")"#))
        let comfy = try fixture(#"[{"people": [], "canvas_width": 4, "canvas_height": 4}]"#, named: "c.json")
        // Forced as MMPose, the list is read as one image's instances, which it is not.
        #expect(readFailure(comfy, PoseReadOptions(format: .mmpose, canvas: CanvasSize(width: 4, height: 4))).hasSuffix(#"c.json: frame 0: instance 0: "keypoints" is missing, not an array"#))
        let native = try fixture(#"{"format": "psgan-pose"}"#, named: "n.bvh")
        #expect(readFailure(native, PoseReadOptions(format: .bvh)).contains("n.bvh: not a BVH file"))
    }
}
