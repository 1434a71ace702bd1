import Foundation
import Testing
@testable import PSGANKit

/// The look schema against the training renderer's own mapping (`Tests/Fixtures/looks/forward.json`,
/// made by `python3 -m psgan_train.look_fixtures`), and its inverse against itself.
@Suite struct LookSchemaTests {
    static let looks = TestPaths.repository.appendingPathComponent("Tests/Fixtures/looks")

    static func bundledSchema() throws -> LookSchema {
        let model = try PSGANModel(contentsOf: TestPaths.repository.appendingPathComponent("samples/psgan-default.safetensors"))
        return try #require(model.look)
    }

    @Test func theNormalQuantileInvertsTheCDF() {
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(NormalDistribution.quantile(0.5)) < 1e-15)
        for p in [1e-10, 1e-4, 0.02, 0.3, 0.7, 0.99, 1 - 1e-4] {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-12 * max(1, p / 1e-4), "\(p)")
        }
    }

    /// Each seed's look read through the schema is the one the training renderer draws for it.
    @Test func theSchemaReadsALatentAsTheRendererDoes() throws {
        let schema = try Self.bundledSchema()
        #expect(schema.attributes.count == 23 && schema.lookDims == 29)
        let data = try Data(contentsOf: Self.looks.appendingPathComponent("forward.json"))
        let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(entries.count == 6)
        for entry in entries {
            let seed = try #require(entry["seed"] as? Int)
            let look = schema.look(of: SeededNormals.latent(seed: UInt64(seed), dimension: 64))
            for attribute in schema.attributes {
                let expected = try #require(entry[attribute.name], "\(attribute.name)")
                switch look.values[attribute.name] {
                case .colour(let colour)?:
                    let want = try #require(expected as? [Double])
                    // The palettes are stored as #RRGGBB: half a level of rounding.
                    #expect(zip(colour.channels, want).allSatisfy { abs($0 - $1) < 0.6 / 255 }, "seed \(seed) \(attribute.name): \(colour.channels) vs \(want)")
                case .text(let text)?: #expect(text == expected as? String, "seed \(seed) \(attribute.name)")
                case .flag(let on)?: #expect(on == expected as? Bool, "seed \(seed) \(attribute.name)")
                case .number(let number)?: #expect(abs(number - (expected as? Double ?? .nan)) < 1e-5, "seed \(seed) \(attribute.name)")
                case nil: Issue.record("seed \(seed): no \(attribute.name)")
                }
            }
        }
    }

    /// Setting a look and reading it back gives the look: colours to the half level, the rest exactly.
    @Test func aLookSetIsTheLookRead() throws {
        let schema = try Self.bundledSchema()
        let look = Look(values: ["hair": .colour(RGBColour(hex: "#d03030")!), "top": .colour(RGBColour(hex: "#2040c0")!),
                                 "bottom": .colour(RGBColour(hex: "#f0f0f0")!), "skin": .colour(RGBColour(hex: "#b88561")!),
                                 "hair_style": .text("twin-tails"), "skirt": .flag(true), "scarf": .flag(false), "legs": .number(1.1)])
        for seed in [0, 7, 42] as [UInt64] {
            let base = SeededNormals.latent(seed: seed, dimension: 64)
            let latent = try schema.apply(look, to: base, file: "t.json")
            let read = schema.look(of: latent)
            for (name, value) in look.values {
                switch (value, read.values[name]) {
                case (.colour(let want), .colour(let got)?):
                    #expect(zip(want.channels, got.channels).allSatisfy { abs($0 - $1) < 0.5 / 255 }, "\(name): \(got.hex)")
                case (.number(let want), .number(let got)?):
                    #expect(abs(want - got) < 1e-6, "\(name)")
                default:
                    #expect(read.values[name] == value, "\(name)")
                }
            }
            // The values the look does not name keep the seed's.
            let named = Set(look.values.keys.compactMap(schema.attribute).flatMap(\.dims))
            #expect((0 ..< 64).filter { !named.contains($0) }.allSatisfy { latent[$0] == base[$0] })
        }
    }

    @Test func badLooksAreRefusedNamingTheAttribute() throws {
        let schema = try Self.bundledSchema()
        let base = SeededNormals.latent(seed: 1, dimension: 64)
        func problem(_ values: [String: Look.Value]) -> String {
            do { _ = try schema.apply(Look(values: values), to: base, file: "c.json"); return "" } catch { return "\(error)" }
        }
        #expect(problem(["hat": .flag(true)]).contains("unknown attribute 'hat' (this model's: hair, skin, top, bottom"))
        #expect(problem(["hair": .colour(RGBColour(hex: "#000000")!)]).contains("hair: #000000 is out of reach (this model's hair is a colour, each channel 26 to 242"))
        #expect(problem(["hair_style": .text("mohawk")]).contains("one of short, long, twin-tails, ponytail"))
        #expect(problem(["legs": .number(3)]).contains("a number from 0.85 to 1.15"))
        #expect(problem(["skirt": .colour(RGBColour(hex: "#ffffff")!)]).contains("skirt takes true or false"))
    }
}
