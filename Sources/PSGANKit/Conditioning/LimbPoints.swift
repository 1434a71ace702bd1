/// The `coco18-limbs` keypoint layout: COCO-18's 18 keypoints, then three points derived on each
/// limb segment, so that a model's finest pose maps show an arm or a leg as dots a few pixels apart
/// instead of only its two ends (`docs/spec/psgan-model.md`).
///
/// A model of this layout is given COCO-18 poses like any other; the derived points are appended
/// where the condition maps are built (``GeneratorConfig/conditionKeypoints(_:)``).
public enum LimbPoints {
    /// The layout's name in a model file's config.
    public static let layout = "coco18-limbs"
    /// The segments, in order: right upper arm, right forearm, left upper arm, left forearm, right
    /// thigh, right shin, left thigh, left shin (COCO-18 indices).
    static let segments = [(2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (11, 12), (12, 13)]
    /// Where on each segment the points lie, from its first end.
    static let fractions = [0.25, 0.5, 0.75]
    /// The layout of the poses such a model is given, and their keypoint count.
    public static let poseLayout = "coco18", poseKeypoints = 18
    /// Keypoints of the layout: 18 given and 24 derived.
    public static let keypointCount = poseKeypoints + segments.count * fractions.count

    /// `keypoints` (COCO-18) with the derived points appended: for each segment (a, b) and fraction
    /// t, `a + (b - a) * t`, with confidence `min(c_a, c_b)` when both ends are present, else missing.
    public static func appended(to keypoints: [Keypoint]) -> [Keypoint] {
        precondition(keypoints.count == poseKeypoints, "coco18-limbs derives its points from COCO-18's 18")
        var result = keypoints
        result.reserveCapacity(keypointCount)
        for (a, b) in segments {
            let p = keypoints[a], q = keypoints[b]
            for t in fractions {
                guard p.isPresent && q.isPresent else {
                    result.append(.missing)
                    continue
                }
                result.append(Keypoint(x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t, confidence: min(p.confidence, q.confidence)))
            }
        }
        return result
    }
}
