import Foundation

extension PoseFileReader {
    /// Reads the JSON MMPose's inferencer (and its demos) write for 2D body poses.
    ///
    /// Accepted shapes: a list of frames `[{"frame_id": 0, "instances": [...]}, ...]` (a video's
    /// predictions); `{"meta_info": ..., "instance_info": [frames]}` (the demos' `--save-predictions`);
    /// and a plain list of instances `[{"keypoints": ..., "keypoint_scores": ...}, ...]` (one image),
    /// read as one frame. Frames are taken in list order. An instance has `keypoints` `[[x, y], ...]`
    /// and `keypoint_scores` `[s, ...]`: 17 in COCO order, or 26 (Halpe) or 133 (COCO-WholeBody),
    /// whose first 17 are the COCO body. Scores are clamped to `[0, 1]`; 0 is missing. MMPose does
    /// not record the image size, so `--canvas` is required.
    struct MMPoseParser {
        let url: URL
        let person: PersonSelection
        let canvas: CanvasSize?

        private func fail(_ problem: String, frame: Int? = nil, keypoint: Int? = nil) -> PSGANError {
            PSGANError(.poses, url: url, frame: frame, keypoint: keypoint, problem: problem)
        }

        func parse(_ root: JSONValue) throws -> PoseSequence {
            var frameValues: [JSONValue]
            switch root {
            case .object(let object):
                guard case .array(let list)? = object["instance_info"] else {
                    throw fail("\"instance_info\" is \(object["instance_info"]?.kind ?? "missing"), not an array of frames")
                }
                frameValues = list
            case .array(let list):
                frameValues = list
                if case .object(let first)? = list.first, first["instances"] == nil {
                    frameValues = [.object(["instances": root])]  // one image's instances
                }
            default:
                throw fail("not an MMPose prediction file (the top level is \(root.kind))")
            }
            guard !frameValues.isEmpty else { throw fail("the list of frames is empty") }
            guard let canvas else {
                throw fail("MMPose files do not record the image size; pass --canvas WxH")
            }
            var frames: [[Keypoint]] = []
            var mostPeople = 0
            for (f, value) in frameValues.enumerated() {
                guard case .object(let frame) = value else { throw fail("is \(value.kind), not an object", frame: f) }
                guard case .array(let instances)? = frame["instances"] else {
                    throw fail("\"instances\" is \(frame["instances"]?.kind ?? "missing"), not an array", frame: f)
                }
                let people = try instances.enumerated().map { try instance($1, index: $0, frame: f) }
                mostPeople = max(mostPeople, people.count)
                if let chosen = person.choose(from: people) {
                    frames.append(COCO17.toCOCO18(people[chosen]))
                } else {
                    frames.append([Keypoint](repeating: .missing, count: 18))
                }
            }
            if let problem = person.absence(mostPeople: mostPeople) { throw fail(problem) }
            return PoseSequence(layout: "coco18", keypointCount: 18, fps: nil,
                                canvasWidth: Double(canvas.width), canvasHeight: Double(canvas.height), frames: frames)
        }

        /// The 17 COCO body keypoints of one instance.
        private func instance(_ value: JSONValue, index: Int, frame: Int) throws -> [Keypoint] {
            guard case .object(let instance) = value else {
                throw fail("instance \(index) is \(value.kind), not an object", frame: frame)
            }
            guard case .array(var points)? = instance["keypoints"] else {
                throw fail("instance \(index): \"keypoints\" is \(instance["keypoints"]?.kind ?? "missing"), not an array", frame: frame)
            }
            // Some writers keep the batch axis: [[[x, y], ...]].
            if points.count == 1, case .array(let inner) = points[0], case .array? = inner.first { points = inner }
            guard case .array(let scores)? = instance["keypoint_scores"] else {
                throw fail("instance \(index): \"keypoint_scores\" is \(instance["keypoint_scores"]?.kind ?? "missing"), not an array", frame: frame)
            }
            var flatScores = scores
            if flatScores.count == 1, case .array(let inner) = flatScores[0] { flatScores = inner }
            guard [17, 26, 133].contains(points.count) else {
                throw fail("instance \(index) has \(points.count) keypoints; expected 17 (COCO), 26 (Halpe) or 133 (COCO-WholeBody)", frame: frame)
            }
            guard flatScores.count == points.count else {
                throw fail("instance \(index) has \(points.count) keypoints but \(flatScores.count) keypoint_scores", frame: frame)
            }
            return try (0..<17).map { k in
                guard case .array(let xy) = points[k], xy.count >= 2,
                      case .number(let x) = xy[0], x.isFinite, case .number(let y) = xy[1], y.isFinite else {
                    throw fail("instance \(index): \(COCO17.names[k]) is \(points[k].kindWithCount), not [x, y] with finite numbers", frame: frame)
                }
                guard case .number(let score) = flatScores[k], score.isFinite else {
                    throw fail("instance \(index): the score of \(COCO17.names[k]) is \(flatScores[k].kind), not a finite number", frame: frame)
                }
                let confidence = min(max(score, 0), 1)
                return confidence > 0 ? Keypoint(x: x, y: y, confidence: confidence) : .missing
            }
        }
    }
}
