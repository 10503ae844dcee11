// Rolldown options for `jco componentize --bundle`: the contract's
// interfaces are component imports, not modules to bundle.
export default {
  external: [/^fulcrum:policy\//],
};
