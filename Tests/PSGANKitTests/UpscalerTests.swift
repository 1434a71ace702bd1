import Foundation
import Testing
@testable import PSGANKit

/// The upscalers against the independent golden outputs in `shared/golden/sr`, plus tiling and
/// the network's building blocks.
@Suite struct UpscalerTests {
    static let golden = TestPaths.shared.appendingPathComponent("golden/sr")
    static let models: [(name: String, file: String)] = [
        ("srgan-x2", "models/srgan/srgan-x2.safetensors"),
        ("srgan-x4", "models/srgan/srgan-x4.safetensors"),
        ("realesr-animevideov3-x4", "models/realesr-animevideov3/realesr-animevideov3-x4.safetensors"),
    ]

    static func model(_ name: String) throws -> UpscalerModel {
        let file = models.first { $0.name == name }!.file
        return try UpscalerModel(contentsOf: TestPaths.shared.appendingPathComponent(file))
    }

    @Test(arguments: ["srgan-x2", "srgan-x4", "realesr-animevideov3-x4"])
    func reproducesTheGoldenFloats(name: String) throws {
        let expected = try SafeTensorsFile(contentsOf: Self.golden.appendingPathComponent("expected.safetensors"))
        let input = try expected.floats("astronaut.input")
        #expect(expected.tensors["astronaut.input"]?.shape == [3, 40, 48])
        let model = try Self.model(name)
        let output = Upscaler(model: model).upscale(input, height: 40, width: 48)
        let want = try expected.floats("astronaut.\(name)")
        #expect(expected.tensors["astronaut.\(name)"]?.shape == [3, 40 * model.scale, 48 * model.scale])
        let error = relativeL2(output, want)
        print("golden \(name): relative L2 error \(error)")
        #expect(error < 1e-5, "\(name): relative L2 error \(error)")
    }
}
