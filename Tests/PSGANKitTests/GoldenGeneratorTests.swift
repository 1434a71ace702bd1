import Foundation
import Testing
@testable import PSGANKit

/// The generator against the independent golden vectors in `Tests/Fixtures/golden/psgan-tiny`.
@Suite struct GoldenGeneratorTests {
    struct Case {
        let name: String
        let latent: [Float]
        let expectedZ: [Float]
        let keypoints: [Keypoint]
    }

    static func loadCases() throws -> (PSGANModel, [Case], SafeTensorsFile) {
        let model = try PSGANModel(contentsOf: TestPaths.psganTiny.appendingPathComponent("model.safetensors"))
        let expected = try SafeTensorsFile(contentsOf: TestPaths.psganTiny.appendingPathComponent("expected.safetensors"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.psganTiny.appendingPathComponent("cases.json"))) as! [String: Any]
        let l = model.config.latentDim
        let cases = (json["cases"] as! [[String: Any]]).map { entry -> Case in
            let recipe = entry["latent"] as! [String: Any]
            let latent: [Float]
            if let seed = recipe["seed"] as? Int {
                latent = SeededNormals.latent(seed: UInt64(seed), dimension: l)
            } else {
                let kind: LatentInterpolation = recipe["slerp"] != nil ? .slerp : .lerp
                let seeds = (recipe["slerp"] ?? recipe["lerp"]) as! [Int]
                latent = kind.blend(SeededNormals.latent(seed: UInt64(seeds[0]), dimension: l),
                                    SeededNormals.latent(seed: UInt64(seeds[1]), dimension: l),
                                    t: recipe["t"] as! Double)
            }
            let keypoints = (entry["keypoints"] as! [[Double]]).map { Keypoint(x: $0[0], y: $0[1], confidence: $0[2]) }
            return Case(name: entry["name"] as! String, latent: latent,
                        expectedZ: (entry["z"] as! [Double]).map(Float.init), keypoints: keypoints)
        }
        return (model, cases, expected)
    }

    @Test func modelConfigMatchesTheGoldenFile() throws {
        let (model, cases, _) = try Self.loadCases()
        #expect(model.config.resolution == 32)
        #expect(model.config.latentDim == 16)
        #expect(model.config.keypoints == 18)
        #expect(model.config.channels == [4: 16, 8: 16, 16: 12, 32: 8])
        #expect(cases.count == 4)
    }

    @Test func seededAndInterpolatedLatentsMatch() throws {
        let (_, cases, _) = try Self.loadCases()
        for c in cases {
            #expect(relativeL2(c.latent, c.expectedZ) < 1e-6, "latent of \(c.name)")
        }
    }

    @Test func forwardPassMatchesGoldenFloats() throws {
        let (model, cases, expected) = try Self.loadCases()
        let generator = Generator(model: model)
        for (i, c) in cases.enumerated() {
            let rgb = generator.forward(latent: c.latent, keypoints: c.keypoints)
            let truth = try expected.floats("case\(i)")
            #expect(expected.tensors["case\(i)"]?.shape == [3, 32, 32])
            let error = relativeL2(rgb, truth)
            print("golden psgan-tiny case \(i) (\(c.name)): relative L2 error \(error)")
            #expect(error < Float32Bound.generator(model.config), "case \(i) (\(c.name)): relative L2 error \(error)")
        }
    }

    @Test func quantisedFramesMatchGoldenPNGsWithinOneLevel() throws {
        let (model, cases, _) = try Self.loadCases()
        let generator = Generator(model: model)
        for (i, c) in cases.enumerated() {
            let image = Generator.quantize(generator.forward(latent: c.latent, keypoints: c.keypoints), size: 32)
            let png = try decodeRGBFrames(TestPaths.psganTiny.appendingPathComponent("case\(i).png"), width: 32, height: 32)
            #expect(png.count == 1)
            let worst = zip(image.pixels, png[0]).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(worst <= 1, "case \(i): largest difference \(worst) levels")
        }
    }

    @Test func generatorIsDeterministicAcrossCallsAndInstances() throws {
        let (model, cases, _) = try Self.loadCases()
        let a = Generator(model: model), b = Generator(model: model)
        let first = a.forward(latent: cases[0].latent, keypoints: cases[0].keypoints)
        _ = a.forward(latent: cases[1].latent, keypoints: cases[1].keypoints)
        #expect(a.forward(latent: cases[0].latent, keypoints: cases[0].keypoints) == first)
        #expect(b.forward(latent: cases[0].latent, keypoints: cases[0].keypoints) == first)
    }
}
