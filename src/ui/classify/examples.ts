/**
 * Built-in example abstracts, copied from the dev splits (data/hoc/dev.jsonl, data/mtc5/dev.jsonl) with their gold
 * labels and, for HoC, the sentence-level evidence. `dataset` ties a set to the models trained on it (model id prefix).
 */
export interface ExampleSentence {
  start: number;
  end: number;
  labels: string[];
}

export interface ExampleAbstract {
  id: string;
  dataset: string;
  pmid?: string;
  text: string;
  labels: string[];
  sentences: ExampleSentence[];
}

export const exampleAbstracts: ExampleAbstract[] = [
  {
    id: 'hoc-dev-0007',
    dataset: 'hoc',
    pmid: '12220727',
    text: 'A rat colonic adenocarcinoma was implanted subcutaneously ( s.c. ) in nude mice . After 7 days , the animals were divided into different groups . Two groups received subcutaneous injections twice daily with 3 or 6 micro g/kg body weight octreotide , galanin and serotonin . Three groups were respectively treated with 20 , 30 , and 40 micro g/kg body weight of the previously mentioned bioactive substances . Control group received only saline solution in the same fashion as treated animals . The treatment lasted for 5 days . The tumour volume and weight , the relative density of blood vessels , of tumour necrotic tissue , of apoptotic nuclei and of proliferating nuclei were measured . Apoptosis was detected by in situ labelling of nuclear DNA fragmentation according to TUNEL method , and proliferation by immunocytochemistry . Morphometry was done with the classical stereological point-counting method . Food consumption , animal weight , faeces weight and its water content were measured for 3 days before and after treatment . Triple therapy with 3 and 6 micro g/kg body weight had no effect on any of the parameters measured , except in reducing the relative volume density of tumour blood vessels . Treatment with 20 , 30 and 40 micro g/kg body weight of the previously mentioned bioactive substances reduced the tumour volume , the relative volume density of blood vessels and increased the relative volume density of necrotic tissue and of apoptotic nuclei ( in the 20 micro g group ) . However , there was no difference between treated mice and controls regarding the relative volume density of proliferating nuclei . There was no statistical difference between treated animals regarding food consumption , body weight , faeces weight and its water content before and during treatment . The present study confirms that triple therapy with octreotide , galanin and serotonin causes regression of a rat colon carcinoma . It further showed that optimum treatment dose is 20 micro g/kg body weight of each bioactive substance . Moreover , this therapy regime does not show apparent side effects in the experiments carried out on mice .',
    labels: ['Inducing angiogenesis', 'Resisting cell death'],
    sentences: [
      { start: 0, end: 79, labels: [] },
      { start: 82, end: 143, labels: [] },
      { start: 146, end: 271, labels: [] },
      { start: 274, end: 406, labels: [] },
      { start: 409, end: 491, labels: [] },
      { start: 494, end: 525, labels: [] },
      { start: 528, end: 688, labels: [] },
      { start: 691, end: 832, labels: ['Resisting cell death'] },
      { start: 835, end: 910, labels: [] },
      { start: 913, end: 1035, labels: [] },
      { start: 1038, end: 1209, labels: ['Inducing angiogenesis'] },
      { start: 1212, end: 1497, labels: ['Resisting cell death'] },
      { start: 1502, end: 1631, labels: [] },
      { start: 1634, end: 1800, labels: [] },
      { start: 1803, end: 1932, labels: [] },
      { start: 1935, end: 2037, labels: [] },
      { start: 2040, end: 2145, labels: [] },
    ],
  },
  {
    id: 'hoc-dev-0013',
    dataset: 'hoc',
    pmid: '19720422',
    text: 'BACKGROUND & AIMS Hepatocellular carcinoma ( HCC ) is an aggressive malignancy with few treatment options . As the status of the tumour immune microenvironment can affect progression of established tumours , we evaluated potential immune mechanisms associated with survival in HCC . METHODS Immune gene expression profiles were analyzed in tumour and non-tumour liver tissues from resected HCC patients using quantitative PCR and immunohistochemistry . Tumour-infiltrating leukocytes ( TILs ) were isolated to verify the expression of immune genes and to identify proliferating TILs . These parameters were analyzed statistically in relation with patient survival and tumour phenotype ( apoptosis and proliferation ) . RESULTS The immune microenvironment within tumours was found to be heterogeneous , although globally more inert compared to the adjacent non-tumour liver tissue . Univariate analysis in 61 patients identified a group of innate immune genes whose expression within tumours is positively associated with patient survival . TNF , IL6 and CCL2 are the most significant genes , with TNF being an independent predictor of survival in multivariate analysis . The gene set includes macrophage and NK-associated molecules such as TLR4 , TLR3 , CCR2 , NCR3 . Most of these molecules are expressed by TILs . Importantly , proliferating immune cells , predominantly NK and T cells , are present in tumours of patients with longer survival , and exclusively in areas devoid of proliferating tumour cells . NK and CD8(+) T cell densities are correlated positively with tumour apoptosis , and negatively with tumour proliferation . CONCLUSIONS Hence , an inflammatory immune microenvironment within HCC tumours could be an important means to control tumour progression via TIL activation and proliferation .',
    labels: ['Avoiding immune destruction', 'Tumor promoting inflammation'],
    sentences: [
      { start: 0, end: 105, labels: [] },
      { start: 108, end: 280, labels: [] },
      { start: 283, end: 450, labels: [] },
      { start: 453, end: 582, labels: [] },
      { start: 585, end: 714, labels: [] },
      { start: 719, end: 879, labels: ['Avoiding immune destruction'] },
      { start: 882, end: 1037, labels: ['Avoiding immune destruction'] },
      { start: 1040, end: 1168, labels: [] },
      { start: 1171, end: 1264, labels: [] },
      { start: 1268, end: 1313, labels: [] },
      { start: 1316, end: 1509, labels: ['Avoiding immune destruction'] },
      { start: 1512, end: 1633, labels: [] },
      { start: 1636, end: 1809, labels: ['Tumor promoting inflammation'] },
    ],
  },
  {
    id: 'hoc-dev-0034',
    dataset: 'hoc',
    pmid: '20639624',
    text: 'Bisphosphonates ( BPs ) are the current standard of care for bone lesions in patients with multiple myeloma ( MM ) but they are associated with a number of side effects such as osteonecrosis of the jaw . The exact mechanisms of osteonecrosis are not elucidated , and its physiopathology is based on several hypotheses such as a decrease in bone remodeling or an inhibitory effect on angiogenesis . The aim of our study was to investigate the mechanism involved in the pathogenesis of osteonecrosis . We examined the apoptosis of circulating endothelial progenitor cells in MM subjects before and after BP treatment and in osteonecrosis patients using a flow-cytometric analysis . Our data showed an increase in endothelial cell apoptosis in MM patients after BP administration and in osteonecrosis subjects . Our study seems in agreement with the hypothesis that BPs can inhibit angiogenesis interfering with endothelial cell proliferation and survival , leading to loss of blood vessels and avascular necrosis .',
    labels: ['Inducing angiogenesis', 'Resisting cell death'],
    sentences: [
      { start: 0, end: 201, labels: [] },
      { start: 204, end: 395, labels: [] },
      { start: 398, end: 497, labels: [] },
      { start: 500, end: 677, labels: [] },
      { start: 680, end: 806, labels: [] },
      { start: 809, end: 1010, labels: ['Inducing angiogenesis', 'Resisting cell death'] },
    ],
  },
  {
    id: 'hoc-dev-0000',
    dataset: 'hoc',
    pmid: '22921063',
    text: '1,25-Dihydroxyvitamin D(3) ( 1,25D ) , the hormonal form of vitamin D , and several analogs have failed as monotherapies for cancer because of poor efficacy or acquired resistance . However , 1,25D analogs are amenable to bifunctionalization . Preclinical studies have revealed combinatorial effects of 1,25D analogs and histone deacetylase inhibitors ( HDACi ) . Secosteroidal hybrid molecules combining vitamin D receptor ( VDR ) agonism with HDACi displayed enhanced efficacy but are laborious to synthesize . Here , we have developed easily assembled , fully integrated , non-secosteroidal VDR agonist/HDACi hybrids . The most promising are full VDR agonists with lower potency than 1,25D . Structure/function studies revealed that antiproliferative activity against 1,25D-resistant squamous carcinoma cells required VDR agonism and HDACi . Remarkably , modeling and X-ray crystallography reveal non-secosteroidal hybrids bind in the VDR ligand binding domain in the opposite orientation of their secosteroidal counterparts .',
    labels: [],
    sentences: [
      { start: 5, end: 179, labels: [] },
      { start: 182, end: 241, labels: [] },
      { start: 244, end: 359, labels: [] },
      { start: 364, end: 510, labels: [] },
      { start: 513, end: 619, labels: [] },
      { start: 622, end: 692, labels: [] },
      { start: 695, end: 842, labels: [] },
      { start: 845, end: 1027, labels: [] },
    ],
  },
  {
    id: 'mtc-0115',
    dataset: 'mtc5',
    text: 'Glossopharyngeal schwannoma: review of five cases and the literature. Glossopharyngeal schwannomas are rare tumors in spite of the fact that acoustic schwannomas account for 8%-10% of intracranial tumors. There have been 23 reported cases in the literature. This report of five cases is the largest series of these tumors. The presentation, radiological workup, operation, and long-term postoperative results will be presented, along with a review of the literature.',
    labels: ['Neoplasms'],
    sentences: [],
  },
  {
    id: 'mtc-0255',
    dataset: 'mtc5',
    text: 'Postlaminectomy ossified extradural pseudocyst. Case report. A large ossified spurious meningocele accompanied by recurrent lumbar disc herniation occurred 7 years after posterior intervention for laminectomy and discectomy in a 53-year-old man. The cyst wall, histologically composed of mature bone tissue, was sparsely covered with connective tissue and lined with fibrocyte- or fibroblast-like cells on the inside. The ossified pseudocyst was presumed to have originated from a minute defect in the dura mater which occurred at the time of the first operation.',
    labels: ['Nervous system diseases'],
    sentences: [],
  },
  {
    id: 'mtc-0062',
    dataset: 'mtc5',
    text: 'Dental extraction for patients on oral anticoagulant therapy. Dental extraction in patients receiving long-term oral anticoagulant therapy is a controversial issue. Continuation of anticoagulation exposes the patient to serious hemorrhage, whereas cessation of therapy increases the risk of thromboembolism. Forty patients treated by coumarin underwent 63 tooth extractions, without a change in the therapeutic protocol of anticoagulation. The biologic adhesive Beriplast was used successfully to achieve local hemostasis at the site of the surgical wound. Apart from one patient who had mild oozing, there were no incidences of postsurgical hemorrhage.',
    labels: ['Cardiovascular diseases'],
    sentences: [],
  },
  {
    id: 'mtc-0258',
    dataset: 'mtc5',
    text: 'Extracorporeal shock wave lithotripsy of gallstones: results and 6-month follow-up in 141 patients. A study of biliary shock wave lithotripsy of gallstones sponsored by Dornier Medical Systems, Munich, began in the United States in May 1988 to evaluate the efficacy and safety of extracorporeal shock wave lithotripsy (ESWL) and the need for adjunctive therapy with ursodeoxycholic acid (UDCA). One hundred forty-one symptomatic patients with one to three gallstones 5-30 mm in diameter were randomized to treatment. One week before ESWL, patients were given either UDCA or placebo. This treatment was continued for 6 months. All patients underwent follow-up at predetermined intervals. According to the protocol, re-treatment for fragments larger than 5 mm in diameter could be performed only at 6 weeks; 26 (18%) of the 141 patients were retreated. At 6 months, the stone-free rates for single stones were as follows: patients with noncalcified stones receiving UDCA, 29%; patients with noncalcified stones receiving placebo, 24%; and patients with partially calcified stones receiving either UDCA or placebo, 6%. No significant difference was noted between the UDCA and placebo groups. At 6 months, the stone-free rates in patients with single, noncalcified stones 20 mm or less in diameter were 40% (UDCA) and 32% (placebo), which is superior to rates for those with solitary, noncalcified gallstones 21-30 mm in diameter and those with two or three stones.',
    labels: ['Digestive system diseases'],
    sentences: [],
  },
];

/** The examples for a model: those of the dataset its id starts with, or all of them for an unknown model. */
export function examplesForModel(modelId: string): ExampleAbstract[] {
  const own = exampleAbstracts.filter((example) => modelId.startsWith(`${example.dataset}-`));
  return own.length > 0 ? own : exampleAbstracts;
}
