import Foundation
import FuzzSupport
import ZOCore
import ZOFineTuning
import ZOModel

// state.json on arbitrary bytes: decodeState must throw a ZOError or give a state whose fields are
// consistent; validation against the 1-layer all-MiniLM-L6-v2 layout with a 2-way head (the shape of
// `zocheck finetune --layers 1`) must throw or accept; an accepted state's optimizer arrays (zeros of
// the declared sizes) must restore into the optimizer of its config or be refused — never trap.

nonisolated(unsafe) var layout: ParameterLayout? = nil

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    Fuzz.setUp()
    layout = try? BertEncoder<Float>(EncoderConfig.miniLML6.with(layers: 1, classes: 2)).layout.parameters
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointState(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let layout else {
        Fuzz.require(false, "the 1-layer layout does not build")
        return 0
    }
    guard let state = try? FineTuneCheckpoint.decodeState(Fuzz.data(start, count), source: "fuzz") else { return 0 }
    Fuzz.require(state.history.count == state.completedSteps, "history and completedSteps disagree")
    guard (try? FineTuneCheckpoint.validate(state, layout: layout, at: "fuzz")) != nil else { return 0 }
    // Restoring allocates the optimizer (Adam: 2 × d Doubles): only for the cheap methods.
    guard state.config.method != .foAdam, state.config.method != .foSGD,
        var stepper = try? state.config.makeStepper(layout: layout)
    else { return 0 }
    var snapshot = OptimizerSnapshot(integers: state.optimizerIntegers)
    for (name, n) in state.optimizerArrays { snapshot.arrays[name] = [Double](repeating: 0, count: n) }
    _ = try? stepper.restore(snapshot)
    return 0
}
