import Foundation
import PSGANKit
import Testing

/// Same inputs, same seed: the same frames, run after run and whatever the thread count.
@Suite struct DeterminismTests {
    @Test func rendersAreBitIdenticalAcrossRunsAndThreadCounts() throws {
        let dir = try CLI.temporaryDirectory()
        // Big enough layers (64x64, 48 channels) that GEMMs are split across threads, and Winograd runs.
        let model = dir.appendingPathComponent("m.safetensors")
        let made = try CLI.run(["model", "init", "--resolution", "64", "--latent-dim", "32",
                                "--channels", "4:64,8:64,16:48,32:48,64:48", "--seed", "11", "--out", model.path])
        #expect(made.status == 0, "\(made.errors)")
        let poses = try CLI.poseFile(in: dir, frames: 3)
        var decoded: [[[UInt8]]] = []
        for (run, threads) in ["1", "2", "2", "3", "4"].enumerated() {
            let out = dir.appendingPathComponent("run\(run).mkv")
            let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--seed", "5",
                                      "--codec", "ffv1", "--out", out.path, "--quiet"],
                                     environment: ["PSGAN_THREADS": threads])
            #expect(result.status == 0, "\(result.errors)")
            decoded.append(try CLI.decode(out, frameBytes: 64 * 64 * 3))
        }
        #expect(decoded[0].count == 3)
        for other in decoded.dropFirst() {
            #expect(other == decoded[0])
        }
    }
}
