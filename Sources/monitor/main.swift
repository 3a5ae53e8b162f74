import AlertQueue
import CommandLineSupport
import Diagnostics
import Enrichment
import Glibc

let command = CommandDescription(
    name: "monitor",
    overview: "Shows how the pipeline is doing: counts, durations, verdicts, backlog and reconciliation.",
    options: QueueOptions.definitions + [
        .option("interval", valueName: "seconds", help: "Time between two refreshes.", default: "10"),
        .flag("once", help: "Print one snapshot and exit: status 0 if the counts reconcile, 2 if not."),
        .flag("json", help: "One JSON object per snapshot."),
        StandardOptions.logFormat, StandardOptions.logLevel,
    ],
    discussion: "Counts are read from the queue and the store themselves, never from a program's memory.")

Program.run(command) { context in
    let options = context.options
    let queue = try QueueOptions.configuration(from: options)
    let interval = try options.seconds("interval", in: 0.1...86_400) ?? .seconds(10)
    let json = options.flag("json")
    let backend = try queue.makeBackend(consumer: "monitor", logger: context.logger)
    let sampler = MonitorSampler(backend: backend)

    if options.flag("once") {
        let snapshot = try sampler.sample()
        LineOutput.standardOutput.write(
            line: json ? MonitorView.json(snapshot) : MonitorView.screen(snapshot, throughput: [], backlog: []))
        throw ExitStatus(snapshot.counts.reconciles ? 0 : 2)
    }

    let stop = StopControl()
    let signals = ShutdownSignals { _ in stop.requestStop(grace: .zero) }
    defer { signals.cancel() }
    let redraw = !json && isatty(1) == 1
    while !stop.isStopping {
        do {
            let snapshot = try sampler.sample()
            if json {
                LineOutput.standardOutput.write(line: MonitorView.json(snapshot))
            } else if redraw {
                let screen = MonitorView.screen(
                    snapshot, throughput: sampler.throughputHistory, backlog: sampler.backlogHistory)
                LineOutput.standardOutput.write(line: "\u{1B}[H\u{1B}[2J" + screen)
            } else {
                LineOutput.standardOutput.write(line: MonitorView.line(snapshot))
            }
        } catch {
            context.logger.error("could not read the queue", ["error": "\(error)"])
        }
        stop.waitUnlessStopping(interval)
    }
}
