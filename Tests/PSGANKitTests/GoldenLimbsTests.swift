import Foundation
import Testing
@testable import PSGANKit

/// A generator of the `coco18-limbs` layout against golden vectors made by the training package's
/// torch generator (`Tests/Fixtures/golden/psgan-tiny-limbs`, `python3 -m psgan_train.limbs_golden`):
/// the derived limb points and the frames drawn from 18 given keypoints.
@Suite struct GoldenLimbsTests {
    static let folder = TestPaths.golden.appendingPathComponent("psgan-tiny-limbs")

    static func cases() throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("cases.json"))) as? [[String: Any]])
    }

    static func keypoints(_ rows: Any?) -> [Keypoint] {
        (rows as! [[Double]]).map { Keypoint(x: $0[0], y: $0[1], confidence: $0[2]) }
    }

    /// The 24 derived points are torch's (both compute in double; the JSON numbers parse to within
    /// an ulp or two, so to 1e-9), on the same pose-map pixels, missing where an end is.
    @Test func theDerivedLimbPointsAreTorchs() throws {
        let cases = try Self.cases()
        #expect(cases.count == 3)
        for (i, entry) in cases.enumerated() {
            let given = Self.keypoints(entry["keypoints"]), torch = Self.keypoints(entry["derived"])
            let derived = LimbPoints.appended(to: given)
            #expect(derived.count == 42 && Array(derived[..<18]) == given)
            for (k, (mine, theirs)) in zip(derived[18...], torch).enumerated() {
                #expect(mine.isPresent == theirs.isPresent, "case \(i) point \(k)")
                if theirs.isPresent {
                    #expect(abs(mine.x - theirs.x) < 1e-9 && abs(mine.y - theirs.y) < 1e-9 && mine.confidence == theirs.confidence,
                            "case \(i) point \(k): \(mine) against \(theirs)")
                }
            }
            let maps = ConditionMaps(keypoints: derived, resolution: 32), torchMaps = ConditionMaps(keypoints: given + torch, resolution: 32)
            #expect(maps == torchMaps, "case \(i): the pose maps")
        }
        // Case 1 has no right elbow: the six right-arm points are missing, the left arm's are there.
        let second = LimbPoints.appended(to: Self.keypoints(cases[1]["keypoints"]))
        #expect(second[18 ..< 24].allSatisfy { !$0.isPresent } && second[24 ..< 30].allSatisfy(\.isPresent))
    }

    @Test func framesMatchTheTorchGenerator() throws {
        let model = try PSGANModel(contentsOf: Self.folder.appendingPathComponent("model.safetensors"))
        #expect(model.config.layout == LimbPoints.layout && model.config.keypoints == 42)
        #expect(model.config.poseLayout == "coco18" && model.config.poseKeypoints == 18)
        let expected = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("expected.safetensors"))
        let generator = Generator(model: model)
        for (i, entry) in try Self.cases().enumerated() {
            let latent = SeededNormals.latent(seed: UInt64(try #require(entry["seed"] as? Int)), dimension: 16)
            let out = generator.forward(latent: latent, keypoints: Self.keypoints(entry["keypoints"]))
            let error = relativeL2(out, try expected.floats("case\(i).rgb"))
            #expect(error < Float32Bound.generator(model.config), "case \(i): \(error)")
        }
    }

    /// Without the derived points (the 18 given ones and 24 missing), the frame is another one: the
    /// golden comparison above sees them.
    @Test func theDerivedPointsChangeTheFrame() throws {
        let model = try PSGANModel(contentsOf: Self.folder.appendingPathComponent("model.safetensors"))
        let expected = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("expected.safetensors"))
        let entry = try Self.cases()[0]
        let latent = SeededNormals.latent(seed: UInt64(try #require(entry["seed"] as? Int)), dimension: 16)
        let bare = Self.keypoints(entry["keypoints"]) + [Keypoint](repeating: .missing, count: 24)
        let out = Generator(model: model).forward(latent: latent, conditions: ConditionMaps(keypoints: bare, resolution: 32))
        #expect(relativeL2(out, try expected.floats("case0.rgb")) > 100 * Float32Bound.generator(model.config))
    }
}
