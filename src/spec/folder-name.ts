// The folder a training is compiled into: its name in snake_case (`FashionMLP` -> `fashion_mlp`). Two trainings
// with the same folder would overwrite each other, so the checker refuses that (NN2018).
export function folderName(trainingName: string): string {
  return trainingName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
