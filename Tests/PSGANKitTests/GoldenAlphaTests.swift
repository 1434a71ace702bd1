import Foundation
import Testing
@testable import PSGANKit

/// A generator with a coverage channel (`toalpha`) against golden vectors made by the training
/// package's torch generator (`Tests/Fixtures/golden/psgan-tiny-alpha`, `python3 -m psgan_train.alpha_golden`).
@Suite struct GoldenAlphaTests {
    static let folder = TestPaths.golden.appendingPathComponent("psgan-tiny-alpha")

    @Test func theCoverageChannelMatchesTheTorchGenerator() throws {
        let model = try PSGANModel(contentsOf: Self.folder.appendingPathComponent("model.safetensors"))
        #expect(model.config.alpha && model.config.outputChannels == 4)
        let expected = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("expected.safetensors"))
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("cases.json"))) as? [[String: Any]])
        #expect(cases.count == 2)
        let generator = Generator(model: model)
        let plane = 32 * 32
        for (i, entry) in cases.enumerated() {
            let seed = try #require(entry["seed"] as? Int)
            let latent = SeededNormals.latent(seed: UInt64(seed), dimension: 16)
            #expect(relativeL2(latent, (entry["latent"] as! [Double]).map(Float.init)) < 1e-6)
            let keypoints = (entry["keypoints"] as! [[Double]]).map { Keypoint(x: $0[0], y: $0[1], confidence: $0[2]) }
            let out = generator.forward(latent: latent, keypoints: keypoints)
            #expect(out.count == 4 * plane)
            let bound = Float32Bound.generator(model.config)
            let rgb = relativeL2(Array(out[0 ..< 3 * plane]), try expected.floats("case\(i).rgb"))
            let alpha = relativeL2(Array(out[3 * plane ..< 4 * plane]), try expected.floats("case\(i).alpha"))
            #expect(rgb < bound && alpha < bound, "case \(i): rgb \(rgb), alpha \(alpha), bound \(bound)")
            // Quantised, the coverage is the image's, and the matte a render uses is it without specks.
            let image = Generator.quantize(out, size: 32)
            let coverage = try #require(image.coverage)
            let matte = Matte().alpha(of: image)
            #expect(coverage.count == plane && zip(matte, coverage).allSatisfy { $0 == $1 || ($0 == 0 && $1 < Matte.speckPeak) })
        }
    }

    /// A three-channel model is untouched by the extension: no coverage, three planes.
    @Test func threeChannelModelsStayAsTheyWere() throws {
        let model = try PSGANModel(contentsOf: TestPaths.psganTiny.appendingPathComponent("model.safetensors"))
        #expect(!model.config.alpha && model.config.outputChannels == 3)
        let out = Generator(model: model).forward(latent: SeededNormals.latent(seed: 1, dimension: 16), keypoints: [Keypoint](repeating: .missing, count: 18))
        #expect(out.count == 3 * 32 * 32 && Generator.quantize(out, size: 32).coverage == nil)
    }
}

/// The opt-in `samples/psgan-default-alpha.safetensors`: the previous default
/// (`samples/psgan-identity-128.safetensors`) with a fitted coverage head; its colour is that model's.
@Suite struct ShippedAlphaModelTests {
    @Test func theAlphaVariantDrawsTheDefaultsColourAndItsOwnMatte() throws {
        let plain = try PSGANModel(contentsOf: TestPaths.repository.appendingPathComponent("samples/psgan-identity-128.safetensors"))
        let alpha = try PSGANModel(contentsOf: TestPaths.repository.appendingPathComponent("samples/psgan-default-alpha.safetensors"))
        #expect(!plain.config.alpha && alpha.config.alpha && alpha.look != nil)
        let keypoints = (0 ..< 18).map { k in Keypoint(x: 40 + Double(k % 4) * 12, y: 20 + Double(k) * 5, confidence: 1) }
        let latent = SeededNormals.latent(seed: 14, dimension: 64)
        let a = Generator(model: alpha).forward(latent: latent, keypoints: keypoints)
        let b = Generator(model: plain).forward(latent: latent, keypoints: keypoints)
        let plane = 128 * 128
        #expect(relativeL2(Array(a[0 ..< 3 * plane]), b) < Float32Bound.generator(plain.config))
        let coverage = try #require(Generator.quantize(a, size: 128).coverage)
        #expect(coverage.contains { $0 > 200 } && coverage.contains { $0 < 50 }, "figure and background both drawn")
    }
}
