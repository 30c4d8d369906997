import ZONotebooks

// The executable only starts the command tree; everything else lives in the ZONotebooks library
// (notebooks-as-cli/), where the tests can run it in-process.
ZOCheckCommand.main()
