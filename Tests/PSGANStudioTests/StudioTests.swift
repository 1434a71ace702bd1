import Foundation
import Hummingbird
import HummingbirdTesting
import PSGANKit
@testable import PSGANStudio
import PSGANTestSupport
import Testing

/// The studio's API through Hummingbird's router test client: status codes, uploads, stills,
/// renders with progress and cancel, hostile uploads, ids instead of paths, the Host and Origin check.
@Suite struct StudioTests {
    static let repository = TestSupport.repository

    /// A studio over a fresh workspace with a small random model (fast renders), or a larger one
    /// (`slow`: a render long enough to cancel halfway on any machine).
    static func studio(slow: Bool = false) throws -> Studio {
        let dir = try TestSupport.temporaryDirectory(prefix: "psgan-studio")
        let model = dir.appendingPathComponent("tiny.safetensors")
        let config = slow
            ? GeneratorConfig(resolution: 128, latentDim: 8, keypoints: 18, layout: "coco18", channels: [4: 32, 8: 32, 16: 32, 32: 32, 64: 32, 128: 32])
            : GeneratorConfig(resolution: 16, latentDim: 8, keypoints: 18, layout: "coco18", channels: [4: 8, 8: 8, 16: 4])
        try PSGANModel.random(config: config, seed: 3).write(to: model, precision: .f32)
        return try Studio(configuration: .init(workspace: dir.appendingPathComponent("ws"), model: model, maximumUpload: 1 << 20))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    static let dance = try! Data(contentsOf: repository.appendingPathComponent("poses/dance.json"))

    @Test func thePageAndStatusAreServed() async throws {
        let studio = try Self.studio()
        try await Application(router: studio.router()).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body).contains("psgan studio"))
            }
            try await client.execute(uri: "/app.js", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/status", method: .get) { response in
                let status = try Self.json(response.body)
                #expect(status["resolution"] as? Int == 16 && status["look"] is NSNull)
            }
        }
    }

    @Test func posesStillsAndARenderToTheEnd() async throws {
        let studio = try Self.studio()
        try await Application(router: studio.router()).test(.router) { client in
            var id = ""
            try await client.execute(uri: "/api/poses?name=dance.json", method: .post, body: ByteBuffer(bytes: Self.dance)) { response in
                let poses = try Self.json(response.body)
                id = poses["id"] as? String ?? ""
                #expect(response.status == .ok && (poses["frames"] as? [Any])?.count == 90 && poses["canvas"] as? [Int] == [16, 16])
            }
            #expect(Workspace.isID(id))
            try await client.execute(uri: "/api/still?poses=\(id)&frame=5&seed=2", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                #expect(Array(Data(buffer: response.body).prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            }
            try await client.execute(uri: "/api/still?poses=\(id)&frame=500", method: .get) { response in
                try #expect(response.status == .badRequest && (try Self.json(response.body))["field"] as? String == "frame")
            }
            let body = ByteBuffer(string: #"{"poses": "\#(id)", "seed": 4, "frames": "0:12", "codec": "h264"}"#)
            var render = ""
            try await client.execute(uri: "/api/renders", method: .post, body: body) { response in
                #expect(response.status == .accepted)
                render = (try Self.json(response.body))["id"] as? String ?? ""
            }
            var state = ""
            for _ in 0 ..< 200 where state != "done" && state != "failed" {
                try await Task.sleep(nanoseconds: 50_000_000)
                try await client.execute(uri: "/api/renders/\(render)", method: .get) { response in
                    let summary = try Self.json(response.body)
                    state = summary["state"] as? String ?? ""
                    if state == "done" { #expect(summary["completed"] as? Int == 12 && summary["total"] as? Int == 12) }
                }
            }
            #expect(state == "done")
            try await client.execute(uri: "/api/renders/\(render)/video?download=1", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "video/mp4")
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment") == true)
                let file = try TestSupport.temporaryDirectory().appendingPathComponent("r.mp4")
                try Data(buffer: response.body).write(to: file)
                let probe = try TestSupport.probe(file)
                #expect(probe["codec_name"] as? String == "h264" && probe["nb_read_frames"] as? String == "12", "\(probe)")
            }
            try await client.execute(uri: "/api/renders", method: .get) { response in
                try #expect(((try Self.json(response.body))["renders"] as? [[String: Any]])?.first?["id"] as? String == render)
            }
        }
    }

    @Test func aCancelledRenderLeavesNoFile() async throws {
        let studio = try Self.studio(slow: true)
        let poses = try studio.workspace.storePoses(Self.dance, name: "dance.json")
        try await Application(router: studio.router()).test(.router) { client in
            // A long clip: 90 poses retimed to 240 fps is 720 frames.
            let body = ByteBuffer(string: #"{"poses": "\#(poses.id)", "fps": 240, "codec": "ffv1"}"#)
            var render = ""
            try await client.execute(uri: "/api/renders", method: .post, body: body) { render = (try Self.json($0.body))["id"] as? String ?? "" }
            // Cancelled while it runs, a few frames in.
            var completed = 0
            for _ in 0 ..< 400 where completed == 0 {
                try await Task.sleep(nanoseconds: 10_000_000)
                try await client.execute(uri: "/api/renders/\(render)", method: .get) { completed = (try Self.json($0.body))["completed"] as? Int ?? 0 }
            }
            #expect(completed > 0 && completed < 720)
            try await client.execute(uri: "/api/renders/\(render)/cancel", method: .post) { #expect($0.status == .ok) }
            var state = ""
            for _ in 0 ..< 200 where !["cancelled", "done", "failed"].contains(state) {
                try await Task.sleep(nanoseconds: 50_000_000)
                try await client.execute(uri: "/api/renders/\(render)", method: .get) { state = (try Self.json($0.body))["state"] as? String ?? "" }
            }
            #expect(state == "cancelled")
            try await client.execute(uri: "/api/renders/\(render)/video", method: .get) { #expect($0.status == .notFound) }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: studio.workspace.folder.appendingPathComponent("renders").path)
        #expect(left.isEmpty, "\(left)")
    }

    @Test func hostileRequestsAreRefused() async throws {
        let studio = try Self.studio()
        try await Application(router: studio.router()).test(.router) { client in
            // Too large, not a pose file, a path instead of an id, a foreign page's Origin.
            try await client.execute(uri: "/api/poses", method: .post, body: ByteBuffer(repeating: 0x20, count: (1 << 20) + 1)) {
                #expect($0.status == .contentTooLarge)
            }
            try await client.execute(uri: "/api/poses?name=x.json", method: .post, body: ByteBuffer(string: #"{"foo": 1}"#)) { response in
                let problem = try Self.json(response.body)
                #expect(response.status == .badRequest && (problem["error"] as? String)?.contains("x.json: not a psgan pose file") == true, "\(problem)")
            }
            for uri in ["/api/poses/..%2F..%2Fetc%2Fpasswd", "/api/poses/0123456789ABCDEF", "/api/still?poses=../../etc/passwd", "/api/renders/x/video"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            try await client.execute(uri: "/api/status", method: .get, headers: [.origin: "http://evil.example"]) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/status", method: .get, headers: [.origin: "http://localhost:8470"]) { #expect($0.status == .ok) }
            let bad = ByteBuffer(string: #"{"poses": "0000000000000000"}"#)
            try await client.execute(uri: "/api/renders", method: .post, body: bad) { try #expect((try Self.json($0.body))["field"] as? String == "poses") }
        }
        let check = HostCheck<BasicRequestContext>(host: "127.0.0.1", port: 8470)
        #expect(check.allows(authority: "127.0.0.1:8470", origin: "http://127.0.0.1:8470") && check.allows(authority: "localhost:8470", origin: nil))
        #expect(!check.allows(authority: "evil.example:8470", origin: nil) && !check.allows(authority: "localhost:8470", origin: "http://rebind.example:8470"))
        #expect(!check.allows(authority: "127.0.0.1:9999", origin: nil))
    }

    /// With the bundled model, a look is checked when the render is asked for, naming the field.
    @Test func looksAreCheckedAtOnce() async throws {
        let dir = try TestSupport.temporaryDirectory(prefix: "psgan-studio")
        let studio = try Studio(configuration: .init(workspace: dir, model: Self.repository.appendingPathComponent("samples/psgan-default.safetensors")))
        let poses = try studio.workspace.storePoses(Self.dance, name: "dance.json")
        try await Application(router: studio.router()).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response in
                try #expect(((try Self.json(response.body))["look"] as? [[String: Any]])?.first?["name"] as? String == "hair")
            }
            let look = ##"{"hair":"#d03030"}"##.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(uri: "/api/still?poses=\(poses.id)&frame=0&seed=1&look=\(look)", method: .get) { #expect($0.status == .ok) }
            let bad = ByteBuffer(string: ##"{"poses": "\##(poses.id)", "look": {"hair": "#000000"}}"##)
            try await client.execute(uri: "/api/renders", method: .post, body: bad) { response in
                let problem = try Self.json(response.body)
                #expect(problem["field"] as? String == "look" && (problem["error"] as? String)?.contains("hair: #000000 is out of reach") == true, "\(problem)")
            }
        }
    }
}

/// The cleanup options change the preview, the stills and the render alike.
@Suite struct StudioCleanupTests {
    @Test func cleanupChangesThePosesAsRenderWould() async throws {
        let studio = try StudioTests.studio()
        let poses = try studio.workspace.storePoses(StudioTests.dance, name: "dance.json")
        try await Application(router: studio.router()).test(.router) { client in
            // pingpong: 90 frames forward, then 88 back.
            try await client.execute(uri: "/api/poses/\(poses.id)?loop=pingpong", method: .get) { response in
                try #expect(((try StudioTests.json(response.body))["frames"] as? [Any])?.count == 178)
            }
            try await client.execute(uri: "/api/poses/\(poses.id)?resample=15", method: .get) { response in
                try #expect(((try StudioTests.json(response.body))["frames"] as? [Any])?.count == 45)
            }
            try await client.execute(uri: "/api/poses/\(poses.id)?loop=spin", method: .get) { response in
                try #expect(response.status == .badRequest && (StudioTests.json(response.body))["field"] as? String == "cleanup")
            }
            try await client.execute(uri: "/api/still?poses=\(poses.id)&frame=150&loop=pingpong", method: .get) { #expect($0.status == .ok) }
            let body = ByteBuffer(string: #"{"poses": "\#(poses.id)", "cleanup": {"resample": 10}, "codec": "h264"}"#)
            var render = ""
            try await client.execute(uri: "/api/renders", method: .post, body: body) { render = (try StudioTests.json($0.body))["id"] as? String ?? "" }
            var summary: [String: Any] = [:]
            for _ in 0 ..< 200 where summary["state"] as? String != "done" {
                try await Task.sleep(nanoseconds: 50_000_000)
                try await client.execute(uri: "/api/renders/\(render)", method: .get) { summary = try StudioTests.json($0.body) }
            }
            #expect(summary["state"] as? String == "done" && summary["total"] as? Int == 30, "\(summary)")
        }
    }
}

/// With keyframes, a still is the morph at its frame: the keyframes' own frames give their characters.
@Suite struct StudioMorphTests {
    @Test func aStillWithKeyframesIsTheMorphAtItsFrame() async throws {
        let studio = try StudioTests.studio()
        let poses = try studio.workspace.storePoses(StudioTests.dance, name: "dance.json")
        let keyframes = #"[{"frame": 0, "seed": 1}, {"frame": 20, "seed": 2}]"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        try await Application(router: studio.router()).test(.router) { client in
            func still(_ query: String) async throws -> Data {
                var data = Data()
                try await client.execute(uri: "/api/still?poses=\(poses.id)&\(query)", method: .get) { response in
                    #expect(response.status == .ok)
                    data = Data(buffer: response.body)
                }
                return data
            }
            let first = try await still("frame=0&keyframes=\(keyframes)"), seedOne = try await still("frame=0&seed=1")
            let last = try await still("frame=20&keyframes=\(keyframes)"), seedTwo = try await still("frame=20&seed=2")
            let middle = try await still("frame=10&keyframes=\(keyframes)")
            let one = try await still("frame=10&seed=1"), two = try await still("frame=10&seed=2")
            #expect(first == seedOne && last == seedTwo)
            #expect(middle != one && middle != two)
        }
    }
}

/// An OpenPose folder uploaded as several files reads as one take (with the images' canvas).
@Suite struct StudioFolderTests {
    @Test func anOpenPoseFolderIsOneTake() async throws {
        let studio = try StudioTests.studio()
        func frame(_ f: Int) -> ByteBuffer {
            let points = (0 ..< 18).map { k in "\(100 + k * 5), \(100 + k * 10 + f), 0.9" }.joined(separator: ", ")
            return ByteBuffer(string: "{\"version\": 1.3, \"people\": [{\"pose_keypoints_2d\": [\(points)]}]}")
        }
        try await Application(router: studio.router()).test(.router) { client in
            var id = ""
            try await client.execute(uri: "/api/poses?folder=new&name=take_000000000000_keypoints.json", method: .post, body: frame(0)) {
                id = (try StudioTests.json($0.body))["id"] as? String ?? ""
            }
            for f in 1 ..< 3 {
                try await client.execute(uri: "/api/poses/\(id)/files?name=take_00000000000\(f)_keypoints.json", method: .post, body: frame(f)) {
                    #expect($0.status == .ok)
                }
            }
            try await client.execute(uri: "/api/poses/\(id)/files?name=..%2F..%2Fescape.json", method: .post, body: frame(9)) {
                try #expect($0.status == .badRequest && (StudioTests.json($0.body))["field"] as? String == "poses")
            }
            try await client.execute(uri: "/api/poses/\(id)", method: .get) { response in
                try #expect(response.status == .badRequest && ((StudioTests.json(response.body))["error"] as? String)?.contains("--canvas") == true)
            }
            try await client.execute(uri: "/api/poses/\(id)?canvas=640x480", method: .get) { response in
                try #expect(response.status == .ok && ((StudioTests.json(response.body))["frames"] as? [Any])?.count == 3)
            }
        }
        let escaped = studio.workspace.folder.appendingPathComponent("escape.json")
        #expect(!FileManager.default.fileExists(atPath: escaped.path))
    }
}

/// Models (the bundled ones, or a file) and background pictures or plates by upload.
@Suite struct StudioModelAndPlateTests {
    @Test func modelsAndPlates() async throws {
        let studio = try StudioTests.studio()
        let poses = try studio.workspace.storePoses(StudioTests.dance, name: "dance.json")
        try await Application(router: studio.router()).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response in
                let models = try #require((try StudioTests.json(response.body))["models"] as? [String])
                #expect(models.first == "tiny" && models.contains("psgan-default") && models.contains("psgan-adversarial-128"), "\(models)")
            }
            try await client.execute(uri: "/api/status?model=psgan-default", method: .get) { response in
                let status = try StudioTests.json(response.body)
                #expect(status["resolution"] as? Int == 128 && (status["look"] as? [Any])?.count == 23)
            }
            try await client.execute(uri: "/api/status?model=nope", method: .get) { response in
                try #expect(response.status == .badRequest && ((StudioTests.json(response.body))["error"] as? String)?.contains("no model named 'nope'") == true)
            }
            // A model file: a bad one refused naming the file as uploaded; a good one offered by id.
            try await client.execute(uri: "/api/models?name=broken.safetensors", method: .post, body: ByteBuffer(string: "not a model")) { response in
                try #expect(response.status == .badRequest && ((StudioTests.json(response.body))["error"] as? String)?.hasPrefix("broken.safetensors") == true)
            }
            let model = try Data(contentsOf: studio.models.stills(nil).modelFile)
            var name = ""
            try await client.execute(uri: "/api/models?name=mine.safetensors", method: .post, body: ByteBuffer(bytes: model)) {
                name = (try StudioTests.json($0.body))["name"] as? String ?? ""
            }
            try await client.execute(uri: "/api/still?poses=\(poses.id)&frame=3&model=\(name)", method: .get) { #expect($0.status == .ok) }
            // A plate: the render takes its size.
            let plate = try TestSupport.temporaryDirectory().appendingPathComponent("plate.png")
            try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=48x32", "-frames:v", "1", plate.path])
            var plateID = ""
            try await client.execute(uri: "/api/plates?name=plate.png", method: .post, body: ByteBuffer(bytes: try Data(contentsOf: plate))) {
                plateID = (try StudioTests.json($0.body))["id"] as? String ?? ""
            }
            try await client.execute(uri: "/api/plates?name=x.png", method: .post, body: ByteBuffer(string: "junk")) { #expect($0.status == .badRequest) }
            let body = ByteBuffer(string: #"{"poses": "\#(poses.id)", "frames": "0:5", "background": "\#(plateID)", "model": "\#(name)"}"#)
            var render = ""
            try await client.execute(uri: "/api/renders", method: .post, body: body) { render = (try StudioTests.json($0.body))["id"] as? String ?? "" }
            var state = ""
            for _ in 0 ..< 200 where state != "done" && state != "failed" {
                try await Task.sleep(nanoseconds: 50_000_000)
                try await client.execute(uri: "/api/renders/\(render)", method: .get) { state = (try StudioTests.json($0.body))["state"] as? String ?? "" }
            }
            #expect(state == "done")
            try await client.execute(uri: "/api/renders/\(render)/video", method: .get) { response in
                let file = try TestSupport.temporaryDirectory().appendingPathComponent("r.mp4")
                try Data(buffer: response.body).write(to: file)
                let probe = try TestSupport.probe(file)
                #expect(probe["width"] as? Int == 48 && probe["height"] as? Int == 32, "\(probe)")
            }
        }
    }
}
