package dev.idefics4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** Entry point of the {@code idefics4j} command line. */
@Command(name = "idefics4j", mixinStandardHelpOptions = true, version = "idefics4j 0.1.0",
        description = "IDEFICS vision-language model on the JVM.",
        subcommands = {TaskCommands.Caption.class, TaskCommands.Ask.class, TaskCommands.Classify.class,
                TaskCommands.Describe.class, ChatCommand.class, ServeCommand.class, GenerateCommand.class,
                BatchCommand.class, SparkBatchCommand.class, ScoreCommand.class, EncodeCommand.class,
                TokenizeCommand.class, DownloadCommand.class, QuantizeCommand.class, RandomCheckpointCommand.class,
                InspectCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // The options are listed under the synopsis anyway; a short one fits a mistake's reply.
        cli.getSubcommands().values().forEach(c -> c.getCommandSpec().usageMessage().abbreviateSynopsis(true));
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Users get the message that names the problem, not a stack trace.
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("IDEFICS4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /** A mistake on the command line: what is wrong, the short usage and where the help is, not all of it. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.print("usage: " + cmd.getHelp().synopsis(0));
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
