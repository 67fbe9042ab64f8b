"""The fictional, deterministic sample data behind `matchmaker demo load`.

Everything here is pure: `build(today)` turns a fixed seed into a plan of organisations, needs,
capabilities and 24 months of collaboration history, and `backend.demo.service` carries the plan
out through the domain services. Organisations and people are invented and marked as samples;
the regions, industry chains and the kind of technical problems are those of Shaoxing's
high-end intelligent equipment industry.
"""

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from matching.explain import similarity_label

SEED = 783  # the number of above-scale high-end equipment firms in Shaoxing (2023)
HISTORY_MONTHS = 24
EXPIRY_DAYS = 60
PASSWORD = "matchmaker-demo"
EMAIL_DOMAIN = "sample.matchmaker.local"
SAMPLE_ZH = "（示例）"
SAMPLE_EN = " (sample)"
CST = timezone(timedelta(hours=8), "CST")

Bi = tuple[str, str]  # (Chinese, English)


# --- the technical catalogue: one topic per family of pain points ------------------------------------


@dataclass(frozen=True)
class Issue:
    short: Bi  # used in titles: 磨削烧伤
    detail: Bi  # a clause describing the symptom; "{pct}" is filled with a small number
    only: tuple[int, ...] = ()  # the components it makes sense for (all when empty)


@dataclass(frozen=True)
class Topic:
    key: str
    chain: str
    firm_chains: tuple[str, ...]  # firms of these chains post needs of this topic
    name: Bi
    field: Bi
    components: tuple[Bi, ...]
    issues: tuple[Issue, ...]
    targets: tuple[Bi, ...]  # verb phrases: 将…控制在…以内 / keep … within …
    tried: tuple[Bi, ...]
    keywords: tuple[Bi, ...]
    methods: tuple[Bi, ...]
    equipment: tuple[Bi, ...]
    achievements: tuple[Bi, ...]  # verb phrases in the past: 将…降至… / cut … to …
    trl: tuple[int, int]
    extra_needs: int = 0
    products: bool = True  # False: the components are workpieces or lines, not what the firm sells
    users: tuple[str, ...] = ()  # firm chains that use the components rather than make them

    def made_by(self, chains: tuple[str, ...]) -> str | None:
        """The chain under which a firm of these chains makes the components, if it does."""
        if not self.products:
            return None
        return next((c for c in self.firm_chains if c in chains and c not in self.users), None)


def _i(short: Bi, detail: Bi, only: tuple[int, ...] = ()) -> Issue:
    return Issue(short, detail, only)


TOPICS: tuple[Topic, ...] = (
    Topic(
        key="wind_roller_grinding", chain="wind_power_equipment",
        firm_chains=("wind_power_equipment", "bearings"),
        name=("风电滚子磨削烧伤与圆度超差",
              "Grinding burn and roundness error of wind-turbine bearing rollers"),
        field=("风电滚子精密磨削", "precision grinding of wind-turbine rollers"),
        components=(
            ("风电主轴轴承圆锥滚子", "tapered rollers for wind-turbine main bearings"),
            ("偏航变桨轴承滚子", "rollers for yaw and pitch bearings"),
            ("风电齿轮箱圆柱滚子", "cylindrical rollers for wind gearboxes"),
            ("大规格调心滚子", "large spherical rollers"),
        ),
        issues=(
            _i(
                ("磨削烧伤", "grinding burn"),
                ("外径磨削后酸洗检验发现局部烧伤，批次不合格率约{pct}%，烧伤层硬度下降明显",
                 "nital-etch inspection after OD grinding shows local burn and about {pct}% of each batch "
                 "is rejected")),
            _i(
                ("圆度超差", "roundness out of tolerance"),
                ("大直径滚子磨后圆度在2–4μm之间波动，难以稳定达到主机厂要求",
                 "roundness after grinding wanders between 2 and 4 μm, short of the OEM requirement")),
            _i(
                ("凸度曲线一致性差", "inconsistent crowning profile"),
                ("对数凸度修形曲线批次间一致性差，导致轴承滚道边缘应力集中",
                 "the logarithmic crowning profile varies between batches and causes edge stress on the "
                 "raceway")),
            _i(
                ("超精后波纹度偏大", "high waviness after superfinishing"),
                ("超精研后表面波纹度偏大，成品轴承振动值超标",
                 "waviness after superfinishing is high and finished bearings exceed vibration limits")),
        ),
        targets=(
            ("将滚子圆度稳定控制在1.5μm以内", "keep roller roundness within 1.5 μm"),
            ("将磨削烧伤率降至0.5%以下", "cut the grinding-burn rate below 0.5%"),
            ("实现凸度曲线的在线测量与闭环修正", "measure and correct the crowning profile in line"),
            ("满足全类型风电滚子进口替代要求",
             "meet the specification for full import substitution of wind-turbine rollers"),
        ),
        tried=(
            ("更换进口CBN砂轮", "imported CBN wheels"),
            ("降低磨削进给速度", "lower feed rates"),
            ("调整冷却液浓度和喷嘴位置", "changing coolant concentration and nozzle positions"),
        ),
        keywords=(
            ("磨削烧伤", "grinding burn"),
            ("圆度", "roundness"),
            ("风电滚子", "wind-turbine roller"),
            ("CBN砂轮", "CBN grinding wheel"),
            ("凸度修形", "crowning"),
            ("超精研", "superfinishing"),
            ("巴克豪森噪声检测", "Barkhausen noise inspection"),
        ),
        methods=(
            ("CBN砂轮高速恒压力磨削工艺", "high-speed constant-force CBN grinding"),
            ("磨削温度场建模与烧伤预测", "grinding temperature modelling and burn prediction"),
            ("巴克豪森噪声无损检测磨削烧伤", "Barkhausen-noise inspection of grinding burn"),
            ("滚子对数凸度修形与超精研工艺", "logarithmic crowning and superfinishing of rollers"),
            ("磨削过程声发射监测", "acoustic-emission monitoring of grinding"),
        ),
        equipment=(
            ("高精度圆度仪（0.02μm分辨率）", "high-precision roundness tester (0.02 μm resolution)"),
            ("巴克豪森噪声磨削烧伤检测仪", "Barkhausen-noise grinding-burn analyser"),
        ),
        achievements=(
            ("在合作企业滚子生产线上将磨削烧伤率由3%降至0.3%",
             "cut the grinding-burn rate from 3% to 0.3% on a partner's roller line"),
            ("将合作企业的滚子圆度由3μm提高到1.2μm",
             "improved a partner's roller roundness from 3 μm to 1.2 μm"),
        ),
        trl=(4, 7), extra_needs=2,
    ),
    Topic(
        key="wind_main_bearing", chain="wind_power_equipment",
        firm_chains=("wind_power_equipment", "bearings"),
        name=("风电主轴轴承早期失效与微动磨损",
              "Early failure and fretting wear of wind-turbine main bearings"),
        field=("风电轴承可靠性", "wind-turbine bearing reliability"),
        components=(
            ("5MW以上风电主轴轴承", "main bearings for 5 MW+ wind turbines"),
            ("偏航轴承", "yaw bearings"),
            ("变桨轴承", "pitch bearings"),
            ("海上风电齿轮箱轴承", "offshore wind gearbox bearings"),
        ),
        issues=(
            _i(
                ("早期疲劳剥落", "early fatigue spalling"),
                ("部分批次在台架试验中不足设计寿命的60%即出现滚道疲劳剥落",
                 "some batches show raceway spalling in rig tests at less than 60% of design life")),
            _i(
                ("白色蚀刻裂纹", "white etching cracks"),
                ("拆解失效轴承发现次表层白色蚀刻裂纹（WEC），成因尚不明确",
                 "teardown of failed bearings reveals subsurface white etching cracks of unclear origin")),
            _i(
                ("微动磨损", "fretting wear"),
                ("在小角度往复摆动工况下滚道微动磨损严重",
                 "small-angle oscillation causes severe raceway fretting"),
                only=(1, 2)),
            _i(
                ("寿命评估偏保守", "over-conservative life rating"),
                ("缺少针对大兆瓦机组实测载荷谱的寿命评估方法，设计裕度偏保守、成本偏高",
                 "there is no life model for measured multi-megawatt load spectra, so designs are "
                 "over-conservative and costly")),
        ),
        targets=(
            ("建立基于实测载荷谱的轴承寿命预测模型", "build a bearing life model from measured load spectra"),
            ("将台架试验寿命提升至设计值的1.5倍以上", "raise rig-test life above 1.5 times the design value"),
            ("明确白色蚀刻裂纹的形成机理并提出抑制措施",
             "explain how white etching cracks form and how to suppress them"),
            ("开发适用于摆动工况的润滑与表面处理方案",
             "develop lubrication and surface treatment for oscillating operation"),
        ),
        tried=(
            ("提高轴承钢纯净度", "cleaner bearing steel"),
            ("更换润滑脂", "a different grease"),
            ("加大滚道硬化层深度", "a deeper hardened layer"),
        ),
        keywords=(
            ("风电主轴轴承", "wind-turbine main bearing"),
            ("白色蚀刻裂纹", "white etching crack"),
            ("微动磨损", "fretting wear"),
            ("疲劳寿命", "fatigue life"),
            ("载荷谱", "load spectrum"),
            ("摆动工况", "oscillating motion"),
            ("润滑", "lubrication"),
        ),
        methods=(
            ("大型轴承台架试验与寿命评估", "full-scale bearing rig testing and life assessment"),
            ("滚动接触疲劳与白色蚀刻裂纹机理研究",
             "rolling-contact fatigue and white-etching-crack research"),
            ("摆动工况微动磨损与润滑技术", "fretting and lubrication under oscillating motion"),
            ("风电轴承多体动力学与载荷谱分析", "multibody dynamics and load-spectrum analysis"),
            ("滚道表面涂层与渗氮强化", "raceway coatings and nitriding"),
        ),
        equipment=(
            ("大型风电轴承综合性能试验台（轴径3m）", "large wind-bearing test rig (3 m shaft)"),
            ("滚动接触疲劳试验机", "rolling-contact fatigue tester"),
        ),
        achievements=(
            ("协助企业将变桨轴承微动磨损深度降低60%",
             "helped a maker cut pitch-bearing fretting depth by 60%"),
            ("建立了预测误差小于15%的主轴轴承寿命模型",
             "built a main-bearing life model with under 15% prediction error"),
        ),
        trl=(3, 7),
    ),
    Topic(
        key="ring_heat_treatment", chain="bearings", firm_chains=("bearings", "wind_power_equipment"),
        name=("轴承套圈热处理变形", "Heat-treatment distortion of bearing rings"),
        field=("轴承热处理工艺", "bearing heat treatment"),
        components=(
            ("GCr15轴承套圈", "GCr15 bearing rings"),
            ("薄壁角接触轴承套圈", "thin-walled angular-contact bearing rings"),
            ("大型圆锥轴承外圈", "large tapered-bearing cups"),
            ("渗碳轴承套圈", "carburised bearing rings"),
        ),
        issues=(
            _i(
                ("淬火变形大", "large quench distortion"),
                ("淬火后套圈椭圆度超过0.15mm，后续磨削余量被迫加大",
                 "ring ovality after quenching exceeds 0.15 mm, forcing larger grinding allowances")),
            _i(
                ("尺寸稳定性差", "poor dimensional stability"),
                ("成品存放半年后尺寸变化超标，残余奥氏体含量偏高",
                 "finished rings drift out of size within six months because retained austenite is high")),
            _i(
                ("硬度不均", "uneven hardness"),
                ("同一炉次套圈硬度差达3HRC，网带炉温场均匀性不足",
                 "hardness varies by 3 HRC within a batch because the mesh-belt furnace is not uniform")),
            _i(
                ("热处理能耗高", "high heat-treatment energy use"),
                ("连续热处理线单位能耗高，保护气氛消耗大",
                 "the continuous line uses too much energy and protective gas per part")),
        ),
        targets=(
            ("将淬火椭圆度控制在0.05mm以内", "keep quench ovality within 0.05 mm"),
            ("将残余奥氏体含量控制在3%以下", "keep retained austenite below 3%"),
            ("实现热处理变形预测与工艺参数优化", "predict distortion and optimise process parameters"),
            ("使单位能耗降低20%", "cut energy per part by 20%"),
            ("将同炉硬度差控制在1HRC以内", "keep the hardness spread within 1 HRC"),
        ),
        tried=(
            ("压模淬火", "press quenching"),
            ("调整淬火油温", "changing the quench-oil temperature"),
            ("增加冷处理工序", "an extra sub-zero treatment"),
        ),
        keywords=(
            ("热处理变形", "heat-treatment distortion"),
            ("淬火", "quenching"),
            ("轴承套圈", "bearing ring"),
            ("残余奥氏体", "retained austenite"),
            ("椭圆度", "ovality"),
            ("贝氏体等温淬火", "bainitic austempering"),
            ("热处理仿真", "heat-treatment simulation"),
        ),
        methods=(
            ("热处理变形有限元仿真与工艺优化", "finite-element simulation of heat-treatment distortion"),
            ("贝氏体等温淬火工艺", "bainitic austempering"),
            ("可控气氛网带炉温场优化", "temperature-field optimisation of controlled-atmosphere furnaces"),
            ("深冷处理与尺寸稳定化", "cryogenic treatment and dimensional stabilisation"),
            ("感应淬火工艺与装备", "induction hardening processes and equipment"),
        ),
        equipment=(
            ("X射线残余应力与残余奥氏体分析仪", "X-ray residual-stress and retained-austenite analyser"),
            ("可控气氛热处理中试线", "pilot controlled-atmosphere heat-treatment line"),
        ),
        achievements=(
            ("帮助企业将套圈淬火变形降低55%", "helped a maker cut ring quench distortion by 55%"),
            ("使套圈磨削余量减少30%、单件能耗下降18%",
             "reduced grinding allowance by 30% and energy per ring by 18%"),
        ),
        trl=(4, 7), extra_needs=1,
    ),
    Topic(
        key="bearing_noise", chain="bearings", firm_chains=("bearings", "smart_motors"),
        name=("微型轴承振动噪声超标", "Vibration and noise of miniature bearings"),
        field=("轴承低噪声技术", "low-noise bearing technology"),
        components=(
            ("微型深沟球轴承", "miniature deep-groove ball bearings"),
            ("电机用静音轴承", "quiet motor bearings"),
            ("家电电机轴承", "home-appliance motor bearings"),
            ("汽车空调压缩机轴承", "automotive A/C compressor bearings"),
        ),
        issues=(
            _i(
                ("异音", "abnormal noise"),
                ("装机后约{pct}%的轴承出现间歇性异音，客户投诉集中",
                 "about {pct}% of mounted bearings make intermittent abnormal noise and customers complain")),
            _i(
                ("振动值超标", "excess vibration"),
                ("Z3组振动合格率偏低，高频段振动加速度超标",
                 "the Z3 vibration pass rate is low, with high-frequency acceleration above limits")),
            _i(
                ("沟道波纹度大", "raceway waviness"),
                ("沟道超精后波纹度偏大，与成品振动值相关性明显",
                 "raceway waviness after superfinishing is high and tracks the vibration of finished "
                 "bearings")),
            _i(
                ("清洁度不足", "poor cleanliness"),
                ("装配清洁度不足导致颗粒污染，噪声一致性差",
                 "particles from assembly make noise levels inconsistent")),
        ),
        targets=(
            ("将振动Z3组合格率提升到98%以上", "raise the Z3 vibration pass rate above 98%"),
            ("建立振动噪声与加工误差的关联模型", "relate vibration and noise to machining errors"),
            ("实现异音轴承的在线自动识别", "detect noisy bearings automatically in line"),
        ),
        tried=(
            ("延长超精时间", "longer superfinishing"),
            ("更换保持架供应商", "a new cage supplier"),
            ("人工听音筛选", "manual listening tests"),
        ),
        keywords=(
            ("振动噪声", "vibration and noise"),
            ("异音", "abnormal noise"),
            ("波纹度", "waviness"),
            ("深沟球轴承", "deep-groove ball bearing"),
            ("超精研", "superfinishing"),
            ("声学检测", "acoustic testing"),
        ),
        methods=(
            ("轴承振动噪声机理分析与溯源", "root-cause analysis of bearing vibration and noise"),
            ("沟道超精研工艺优化", "raceway superfinishing optimisation"),
            ("基于深度学习的轴承异音识别", "deep-learning detection of abnormal bearing noise"),
            ("保持架动力学与低噪声设计", "cage dynamics and low-noise design"),
        ),
        equipment=(
            ("半消声室及轴承振动测量仪", "semi-anechoic room with bearing vibration tester"),
            ("表面波纹度与粗糙度测量系统", "waviness and roughness measurement system"),
        ),
        achievements=(
            ("将合作企业的振动合格率由91%提升至98.5%",
             "raised a partner's vibration pass rate from 91% to 98.5%"),
            ("实现了准确率超过97%的异音在线识别", "detected abnormal noise in line with over 97% accuracy"),
        ),
        trl=(4, 8), users=("smart_motors",),
    ),
    Topic(
        key="vision_inspection", chain="sensors_control",
        firm_chains=("sensors_control", "bearings", "key_components", "smart_motors"),
        name=("轴承与零部件在线视觉检测", "In-line machine-vision inspection of bearings and parts"),
        field=("机器视觉质量检测", "machine-vision quality inspection"),
        components=(
            ("轴承套圈端面与外径", "bearing ring faces and outer diameters"),
            ("钢球与滚子表面", "ball and roller surfaces"),
            ("电机定子与换向器", "motor stators and commutators"),
            ("精密冲压件", "precision stampings"),
        ),
        issues=(
            _i(
                ("表面缺陷漏检", "missed surface defects"),
                ("磕碰、划伤、锈斑等表面缺陷依赖人工目检，漏检率约{pct}%",
                 "dents, scratches and rust are checked by eye and about {pct}% are missed")),
            _i(
                ("检测节拍跟不上", "inspection too slow"),
                ("现有检测工位节拍低于产线节拍，已成为瓶颈",
                 "the inspection station is slower than the line and has become the bottleneck")),
            _i(
                ("反光表面成像困难", "imaging of reflective surfaces"),
                ("高反光金属表面成像不稳定，误判率高",
                 "images of shiny metal surfaces are unstable and false rejects are frequent")),
            _i(
                ("缺陷样本少", "too few defect samples"),
                ("缺陷样本少且类别不均衡，深度学习模型难以训练",
                 "defect samples are few and unbalanced, so deep-learning models are hard to train")),
        ),
        targets=(
            ("实现漏检率低于0.1%、误判率低于1%", "reach a miss rate below 0.1% and false rejects below 1%"),
            ("使检测节拍达到每分钟60件以上", "inspect more than 60 parts per minute"),
            ("建设可复制推广的视觉检测工位", "build a vision inspection station that can be replicated"),
            ("建立小样本条件下的缺陷识别模型", "build a defect model that learns from few samples"),
        ),
        tried=(
            ("采购通用视觉系统", "an off-the-shelf vision system"),
            ("增加检验人员", "more inspectors"),
        ),
        keywords=(
            ("机器视觉", "machine vision"),
            ("缺陷检测", "defect detection"),
            ("深度学习", "deep learning"),
            ("在线检测", "in-line inspection"),
            ("表面缺陷", "surface defect"),
            ("小样本学习", "few-shot learning"),
        ),
        methods=(
            ("高反光金属表面多光源成像", "multi-light imaging of reflective metal surfaces"),
            ("小样本缺陷检测深度学习算法", "few-shot deep-learning defect detection"),
            ("边缘计算视觉检测系统集成", "edge-computing vision inspection systems"),
            ("三维结构光尺寸测量", "3D structured-light measurement"),
        ),
        equipment=(
            ("工业视觉检测实验平台（多光源、线阵相机）",
             "industrial vision lab with multi-light and line-scan cameras"),
            ("三维结构光测量仪", "3D structured-light scanner"),
        ),
        achievements=(
            ("在合作企业将套圈表面缺陷漏检率降至0.05%",
             "brought a partner's ring-defect miss rate down to 0.05%"),
            ("以一个视觉检测工位替代了8名检验工", "replaced eight manual inspectors with one vision station"),
        ),
        trl=(5, 8), products=False,
    ),
    Topic(
        key="spindle_bearing", chain="bearings", firm_chains=("bearings", "cnc_machine_tools"),
        name=("高速电主轴轴承温升与润滑失效",
              "Temperature rise and lubrication failure of high-speed spindle bearings"),
        field=("高速精密轴承", "high-speed precision bearings"),
        components=(
            ("电主轴角接触球轴承", "angular-contact spindle bearings"),
            ("陶瓷球混合轴承", "hybrid ceramic-ball bearings"),
            ("高速电机轴承", "high-speed motor bearings"),
        ),
        issues=(
            _i(
                ("温升过高", "excessive temperature rise"),
                ("dmN值超过150万时轴承温升超过25℃，主轴精度快速下降",
                 "above 1.5 million dmN the bearing heats by more than 25 °C and spindle accuracy drops")),
            _i(
                ("油气润滑不稳定", "unstable oil-air lubrication"),
                ("油气润滑供油量难以匹配工况变化，偶发润滑失效",
                 "oil-air lubrication cannot follow the duty cycle and occasionally fails")),
            _i(
                ("预紧力衰减", "preload loss"),
                ("长期运行后预紧力衰减，主轴刚度下降",
                 "preload decays in service and spindle stiffness falls")),
        ),
        targets=(
            ("使dmN值达到200万以上且温升低于15℃", "reach 2 million dmN with less than 15 °C rise"),
            ("开发可变预紧控制方案", "develop variable preload control"),
            ("完成陶瓷球混合轴承国产化验证", "qualify a domestic hybrid ceramic-ball bearing"),
            ("实现油气润滑参数的自适应调节", "adapt oil-air lubrication to the duty cycle"),
        ),
        tried=(
            ("改用进口润滑脂", "imported grease"),
            ("加强主轴冷却", "more spindle cooling"),
        ),
        keywords=(
            ("电主轴", "motorised spindle"),
            ("温升", "temperature rise"),
            ("油气润滑", "oil-air lubrication"),
            ("预紧力", "preload"),
            ("陶瓷球", "ceramic ball"),
            ("高速轴承", "high-speed bearing"),
        ),
        methods=(
            ("高速轴承热—力耦合分析", "thermo-mechanical analysis of high-speed bearings"),
            ("油气润滑参数优化", "oil-air lubrication tuning"),
            ("智能可变预紧技术", "smart variable-preload technology"),
            ("氮化硅陶瓷球制备与检测", "silicon-nitride ball manufacturing and inspection"),
        ),
        equipment=(
            ("高速轴承性能试验台（最高6万转/分）", "high-speed bearing test rig (up to 60,000 rpm)"),
        ),
        achievements=(
            ("使主轴轴承温升降低40%", "cut spindle-bearing temperature rise by 40%"),
            ("协助企业完成陶瓷球混合轴承的主机验证",
             "helped a maker qualify hybrid ceramic bearings with an OEM"),
        ),
        trl=(4, 7), users=("cnc_machine_tools",),
    ),
    Topic(
        key="flexible_bearing", chain="robots_reducers", firm_chains=("robots_reducers", "bearings"),
        name=("机器人谐波减速器柔性轴承寿命不足", "Short life of flexible bearings in robot harmonic drives"),
        field=("机器人减速器轴承", "bearings for robot reducers"),
        components=(
            ("谐波减速器柔性轴承", "flexible bearings for harmonic drives"),
            ("薄壁柔性套圈", "thin-walled flexible rings"),
            ("谐波减速器波发生器轴承", "wave-generator bearings for harmonic drives"),
        ),
        issues=(
            _i(
                ("疲劳寿命不足", "short fatigue life"),
                ("柔性轴承在额定负载下寿命不足6000小时，明显低于进口产品",
                 "flexible bearings last under 6,000 hours at rated load, well short of imported ones")),
            _i(
                ("薄壁套圈开裂", "thin-ring cracking"),
                ("薄壁套圈在波发生器反复变形下出现开裂",
                 "thin rings crack under repeated deformation by the wave generator")),
            _i(
                ("成形磨削精度低", "poor form-grinding accuracy"),
                ("薄壁套圈成形磨削时变形大，沟道形状精度难以保证",
                 "thin rings deform during form grinding and the raceway profile is inaccurate")),
        ),
        targets=(
            ("将柔性轴承寿命提升至10000小时以上", "raise flexible-bearing life above 10,000 hours"),
            ("实现柔性轴承精密数控成形磨削", "achieve precise CNC form grinding of flexible bearings"),
            ("形成柔性轴承设计—制造—检测一体化能力",
             "build integrated design, manufacturing and testing of flexible bearings"),
        ),
        tried=(
            ("更换高纯净度轴承钢", "higher-purity steel"),
            ("增加喷丸强化", "shot peening"),
        ),
        keywords=(
            ("柔性轴承", "flexible bearing"),
            ("谐波减速器", "harmonic drive"),
            ("成形磨削", "form grinding"),
            ("薄壁套圈", "thin-walled ring"),
            ("疲劳寿命", "fatigue life"),
            ("机器人减速器", "robot reducer"),
        ),
        methods=(
            ("柔性轴承接触应力与疲劳寿命分析", "contact-stress and fatigue analysis of flexible bearings"),
            ("薄壁套圈精密数控成形磨削", "precision CNC form grinding of thin rings"),
            ("表面强化与残余应力调控", "surface strengthening and residual-stress control"),
            ("谐波减速器加速寿命试验", "accelerated life testing of harmonic drives"),
        ),
        equipment=(
            ("精密减速器综合性能测试台", "precision reducer performance test bench"),
            ("柔性轴承寿命试验机", "flexible-bearing life tester"),
        ),
        achievements=(
            ("将柔性轴承寿命由5000小时提升至12000小时",
             "raised flexible-bearing life from 5,000 to 12,000 hours"),
            ("研制出达到国内先进水平的机器人减速器柔性轴承精密数控成形磨床",
             "built a precision CNC form grinder for flexible bearings at the domestic state of the art"),
        ),
        trl=(4, 7), extra_needs=1,
    ),
    Topic(
        key="rv_reducer", chain="robots_reducers", firm_chains=("robots_reducers",),
        name=("RV减速器传动精度保持性", "Accuracy retention of RV reducers"),
        field=("精密减速器", "precision reducers"),
        components=(
            ("RV减速器", "RV reducers"),
            ("摆线针轮减速器", "cycloidal reducers"),
            ("机器人关节模组", "robot joint modules"),
        ),
        issues=(
            _i(
                ("回差增大", "growing backlash"),
                ("运行2000小时后回差由1弧分增大到3弧分以上",
                 "after 2,000 hours backlash grows from 1 to over 3 arcmin")),
            _i(
                ("传动误差大", "large transmission error"),
                ("传动误差波动大，影响机器人重复定位精度",
                 "transmission error fluctuates and spoils robot repeatability")),
            _i(
                ("摆线轮修形依赖经验", "empirical cycloid modification"),
                ("摆线轮齿廓修形依赖经验，批次一致性差",
                 "cycloid tooth modification is empirical and batches vary")),
            _i(
                ("温升与噪声偏高", "heat and noise"),
                ("高速工况下温升快、噪声高于65dB",
                 "at high speed the reducer heats quickly and noise exceeds 65 dB")),
        ),
        targets=(
            ("使回差在额定寿命内保持在1弧分以内", "keep backlash within 1 arcmin over the rated life"),
            ("建立摆线轮齿廓修形优化方法", "optimise cycloid tooth modification"),
            ("将整机噪声降低到60dB以下", "bring noise below 60 dB"),
        ),
        tried=(
            ("提高零件加工精度", "tighter part tolerances"),
            ("选配装配", "selective assembly"),
        ),
        keywords=(
            ("RV减速器", "RV reducer"),
            ("回差", "backlash"),
            ("传动误差", "transmission error"),
            ("摆线轮", "cycloid gear"),
            ("齿廓修形", "tooth profile modification"),
            ("精度保持性", "accuracy retention"),
        ),
        methods=(
            ("摆线针轮啮合分析与齿廓修形", "cycloid-pin meshing analysis and profile modification"),
            ("减速器传动误差测试与溯源", "transmission-error testing and diagnosis"),
            ("精密减速器磨损与精度退化建模", "wear and accuracy-degradation modelling of reducers"),
            ("关节模组一体化设计", "integrated joint-module design"),
        ),
        equipment=(
            ("减速器传动误差与回差测试仪", "reducer transmission-error and backlash tester"),
        ),
        achievements=(
            ("使合作产品的回差保持性提高一倍", "doubled the backlash retention of a partner's reducer"),
            ("协助企业建立摆线轮修形设计软件", "helped a maker build cycloid modification software"),
        ),
        trl=(4, 7),
    ),
    Topic(
        key="robot_grinding", chain="robots_reducers",
        firm_chains=("robots_reducers", "key_components", "smart_motors"),
        name=("机器人打磨抛光力控与轨迹规划", "Force-controlled robotic grinding and polishing"),
        field=("机器人智能加工", "robotic machining"),
        components=(
            ("铸件浇冒口机器人打磨", "robotic grinding of casting risers"),
            ("不锈钢水泵壳体打磨抛光", "grinding and polishing of stainless pump housings"),
            ("电机机座机器人打磨", "robotic grinding of motor frames"),
            ("叶片类曲面零件抛光", "polishing of blade-like freeform parts"),
        ),
        issues=(
            _i(
                ("打磨一致性差", "inconsistent grinding"),
                ("人工打磨一致性差、粉尘大，打磨工招聘困难",
                 "manual grinding is inconsistent and dusty, and workers are hard to hire")),
            _i(
                ("力控不稳定", "unstable force control"),
                ("机器人打磨接触力波动大，易过磨或欠磨",
                 "contact force fluctuates, causing over- or under-grinding")),
            _i(
                ("轨迹编程耗时", "slow path programming"),
                ("多品种小批量工件示教编程耗时长，换型慢",
                 "teaching paths for many small batches takes too long")),
        ),
        targets=(
            ("实现基于视觉的打磨轨迹自动生成", "generate grinding paths automatically from vision"),
            ("将接触力控制精度提高到±2N", "control contact force within ±2 N"),
            ("使打磨效率提升50%以上", "raise grinding throughput by more than 50%"),
        ),
        tried=(
            ("引进示教型打磨机器人", "a teach-in grinding robot"),
            ("外包打磨工序", "outsourcing the grinding"),
        ),
        keywords=(
            ("机器人打磨", "robotic grinding"),
            ("力控", "force control"),
            ("轨迹规划", "path planning"),
            ("离线编程", "offline programming"),
            ("三维视觉", "3D vision"),
            ("抛光", "polishing"),
        ),
        methods=(
            ("恒力打磨末端执行器", "constant-force grinding end effectors"),
            ("基于点云的打磨轨迹自动规划", "point-cloud-based automatic path planning"),
            ("机器人离线编程与仿真", "robot offline programming and simulation"),
            ("材料去除建模", "material-removal modelling"),
        ),
        equipment=(
            ("六轴机器人力控打磨实验平台", "six-axis robotic force-controlled grinding cell"),
        ),
        achievements=(
            ("帮助铸造企业实现打磨工位无人化", "made a foundry's grinding station unmanned"),
            ("使水泵壳体打磨效率提高60%", "raised pump-housing grinding throughput by 60%"),
        ),
        trl=(5, 8), products=False,
    ),
    Topic(
        key="five_axis_thermal", chain="cnc_machine_tools", firm_chains=("cnc_machine_tools",),
        name=("五轴数控机床热变形补偿", "Thermal error compensation for five-axis CNC machine tools"),
        field=("机床精度与热误差", "machine-tool accuracy and thermal error"),
        components=(
            ("五轴联动加工中心", "five-axis machining centres"),
            ("龙门五轴机床", "gantry five-axis machines"),
            ("卧式加工中心", "horizontal machining centres"),
            ("精密数控车床", "precision CNC lathes"),
        ),
        issues=(
            _i(
                ("热漂移", "thermal drift"),
                ("连续加工4小时后Z向热漂移达到20μm以上",
                 "after four hours of cutting the Z axis drifts by more than 20 μm")),
            _i(
                ("精度保持性差", "poor accuracy retention"),
                ("机床出厂精度合格，但在用户现场使用半年后精度明显下降",
                 "machines leave the factory in tolerance but lose accuracy within six months at customers")),
            _i(
                ("RTCP精度不足", "insufficient RTCP accuracy"),
                ("转台与摆头几何误差耦合，RTCP精度不足",
                 "rotary-axis geometric errors couple and RTCP accuracy falls short"),
                only=(0, 1, 2)),
        ),
        targets=(
            ("将热误差补偿后的加工精度提升到5μm以内", "keep thermal error below 5 μm after compensation"),
            ("建立适用于国产数控系统的热误差补偿模型",
             "build a thermal-error model for domestic CNC controls"),
            ("开发五轴几何误差快速辨识方法", "identify five-axis geometric errors quickly"),
        ),
        tried=(
            ("延长开机预热时间", "longer warm-up"),
            ("建设恒温车间", "a climate-controlled shop"),
        ),
        keywords=(
            ("热变形", "thermal deformation"),
            ("热误差补偿", "thermal error compensation"),
            ("五轴数控机床", "five-axis CNC machine tool"),
            ("几何误差", "geometric error"),
            ("RTCP", "RTCP"),
            ("精度保持性", "accuracy retention"),
        ),
        methods=(
            ("机床温度测点优化与热误差建模", "temperature-sensor placement and thermal-error modelling"),
            ("五轴机床几何误差辨识与补偿", "five-axis geometric-error identification and compensation"),
            ("基于数字孪生的机床精度预测", "digital-twin prediction of machine accuracy"),
            ("热对称结构设计与冷却优化", "thermally symmetric design and cooling"),
        ),
        equipment=(
            ("激光干涉仪与球杆仪", "laser interferometer and ballbar"),
            ("机床热特性测试系统", "machine-tool thermal test system"),
        ),
        achievements=(
            ("使合作机床的热误差降低75%", "cut a partner machine's thermal error by 75%"),
            ("将热误差补偿模块集成到国产数控系统",
             "integrated thermal compensation into a domestic CNC control"),
        ),
        trl=(4, 8), extra_needs=1,
    ),
    Topic(
        key="machining_chatter", chain="cnc_machine_tools",
        firm_chains=("cnc_machine_tools", "key_components", "smart_motors"),
        name=("切削颤振与薄壁件加工变形", "Chatter and thin-wall distortion in machining"),
        field=("高效精密切削", "high-efficiency precision machining"),
        components=(
            ("铝合金薄壁壳体", "thin-walled aluminium housings"),
            ("电机机壳", "motor housings"),
            ("航空结构件", "aerospace structural parts"),
            ("不锈钢阀体", "stainless valve bodies"),
        ),
        issues=(
            _i(
                ("切削颤振", "chatter"),
                ("精铣时出现颤振，表面振纹明显、刀具寿命短",
                 "chatter in finish milling leaves marks and shortens tool life")),
            _i(
                ("加工变形超差", "machining distortion"),
                ("薄壁件加工后变形超差，一次合格率不足85%",
                 "thin-walled parts distort and first-pass yield is under 85%")),
            _i(
                ("刀具磨损快", "rapid tool wear"),
                ("难加工材料刀具磨损快，频繁换刀影响效率",
                 "tools wear fast in hard materials and frequent changes slow the line")),
        ),
        targets=(
            ("建立稳定性叶瓣图指导切削参数选择", "use stability lobes to choose cutting parameters"),
            ("将加工变形控制在0.02mm以内", "keep distortion within 0.02 mm"),
            ("使刀具寿命提升30%", "extend tool life by 30%"),
        ),
        tried=(
            ("降低切削参数", "lower cutting parameters"),
            ("增加辅助工装", "extra fixtures"),
        ),
        keywords=(
            ("切削颤振", "chatter"),
            ("薄壁件", "thin-walled part"),
            ("加工变形", "machining distortion"),
            ("稳定性叶瓣图", "stability lobe diagram"),
            ("刀具磨损", "tool wear"),
            ("切削参数优化", "cutting-parameter optimisation"),
        ),
        methods=(
            ("切削动力学与颤振稳定性分析", "cutting dynamics and chatter-stability analysis"),
            ("薄壁件变形预测与工艺补偿", "distortion prediction and compensation for thin walls"),
            ("刀具磨损在线监测", "in-process tool-wear monitoring"),
            ("阻尼减振刀杆设计", "damped tool-holder design"),
        ),
        equipment=(
            ("切削力测量系统与模态分析仪", "cutting dynamometer and modal analyser"),
        ),
        achievements=(
            ("使薄壁壳体加工合格率提高到98%", "raised thin-wall housing yield to 98%"),
            ("帮助企业将精铣效率提高35%", "helped a maker finish-mill 35% faster"),
        ),
        trl=(4, 7), products=False,
    ),
    Topic(
        key="form_grinder", chain="cnc_machine_tools", firm_chains=("cnc_machine_tools", "bearings"),
        name=("精密数控成形磨床关键技术", "Key technologies of precision CNC form grinders"),
        field=("精密磨削装备", "precision grinding machines"),
        components=(
            ("轴承沟道数控成形磨床", "CNC raceway form grinders"),
            ("齿轮成形磨床", "gear form grinders"),
            ("丝杠螺纹磨床", "thread grinders for ball screws"),
            ("数控无心磨床", "CNC centreless grinders"),
        ),
        issues=(
            _i(
                ("砂轮修整精度低", "poor wheel dressing"),
                ("金刚滚轮修整后砂轮廓形误差大，影响成形精度",
                 "after roller dressing the wheel profile error spoils the form")),
            _i(
                ("磨削效率低", "low grinding efficiency"),
                ("磨削节拍比进口设备慢约30%", "the cycle time is about 30% slower than imported machines")),
            _i(
                ("主轴动平衡差", "spindle imbalance"),
                ("砂轮主轴动平衡不足，工件表面出现振纹",
                 "wheel-spindle imbalance leaves chatter marks on parts")),
            _i(
                ("数控系统依赖进口", "dependence on imported CNC"),
                ("核心数控系统和在线测量依赖进口，成本高、交期长",
                 "the CNC and in-process gauging are imported, costly and slow to deliver")),
        ),
        targets=(
            ("实现2μm以内的磨削成形精度", "grind forms to within 2 μm"),
            ("使磨削节拍达到进口设备水平", "match the cycle time of imported machines"),
            ("开发国产化在线测量与自动补偿系统",
             "develop domestic in-process gauging with automatic compensation"),
            ("消除砂轮主轴动平衡不足引起的振纹", "remove chatter marks caused by spindle imbalance"),
        ),
        tried=(
            ("引进国外修整器", "an imported dresser"),
            ("优化磨削参数", "tuning grinding parameters"),
        ),
        keywords=(
            ("成形磨床", "form grinder"),
            ("砂轮修整", "wheel dressing"),
            ("在线测量", "in-process measurement"),
            ("动平衡", "dynamic balancing"),
            ("数控系统", "CNC system"),
            ("磨削效率", "grinding efficiency"),
        ),
        methods=(
            ("数控成形磨削轨迹规划与误差补偿", "form-grinding path planning and error compensation"),
            ("金刚滚轮精密修整技术", "precision diamond-roller dressing"),
            ("砂轮主轴在线动平衡", "in-process spindle balancing"),
            ("磨削过程在线测量与闭环控制", "in-process gauging and closed-loop control"),
        ),
        equipment=(
            ("精密数控成形磨削试验平台", "precision CNC form-grinding test platform"),
        ),
        achievements=(
            ("研制出数控成形磨床并已在3家轴承企业应用",
             "built a CNC form grinder now used by three bearing makers"),
            ("将成形磨削节拍缩短28%", "shortened the form-grinding cycle by 28%"),
        ),
        trl=(5, 8),
    ),
    Topic(
        key="cnc_reliability", chain="cnc_machine_tools", firm_chains=("cnc_machine_tools",),
        name=("数控机床可靠性与故障预测", "Reliability and failure prediction of CNC machine tools"),
        field=("装备可靠性与预测性维护", "equipment reliability and predictive maintenance"),
        components=(
            ("数控机床主轴", "machine-tool spindles"),
            ("滚珠丝杠进给系统", "ball-screw feed drives"),
            ("刀库与换刀机构", "tool magazines and changers"),
            ("数控系统", "CNC controls"),
        ),
        issues=(
            _i(
                ("MTBF偏低", "low MTBF"),
                ("整机平均无故障时间约800小时，与国外同类产品差距明显",
                 "MTBF is about 800 hours, well behind foreign competitors")),
            _i(
                ("故障难以预警", "no early warning"),
                ("主轴和丝杠故障缺乏预警，突发停机给客户造成损失",
                 "spindle and screw faults give no warning and sudden stops cost customers")),
            _i(
                ("故障数据分散", "scattered fault data"),
                ("售后故障数据分散在纸质记录中，无法支撑设计改进",
                 "service records are on paper and cannot drive design improvement")),
        ),
        targets=(
            ("将MTBF提升到2000小时以上", "raise MTBF above 2,000 hours"),
            ("建立关键部件剩余寿命预测模型", "predict the remaining life of key components"),
            ("搭建远程运维与故障预警平台", "set up remote monitoring and fault warning"),
        ),
        tried=(
            ("加强出厂跑合试验", "longer run-in tests"),
            ("建立售后台账", "a service log"),
        ),
        keywords=(
            ("可靠性", "reliability"),
            ("MTBF", "MTBF"),
            ("故障预测", "fault prediction"),
            ("剩余寿命", "remaining useful life"),
            ("预测性维护", "predictive maintenance"),
            ("状态监测", "condition monitoring"),
        ),
        methods=(
            ("数控机床可靠性建模与试验", "reliability modelling and testing of CNC machines"),
            ("基于振动与电流信号的故障诊断", "fault diagnosis from vibration and current signals"),
            ("剩余寿命预测与健康管理（PHM）", "remaining-life prediction and health management (PHM)"),
            ("远程运维平台开发", "remote maintenance platforms"),
        ),
        equipment=(
            ("滚珠丝杠与导轨可靠性试验台", "ball-screw and guideway reliability rig"),
        ),
        achievements=(
            ("协助企业将整机MTBF由900小时提升至2100小时",
             "helped a maker raise MTBF from 900 to 2,100 hours"),
            ("为机床企业搭建了覆盖600台设备的远程运维平台",
             "built a remote maintenance platform covering 600 machines"),
        ),
        trl=(4, 8),
    ),
    Topic(
        key="pm_demagnetisation", chain="smart_motors", firm_chains=("smart_motors",),
        name=("永磁电机高温退磁", "High-temperature demagnetisation of permanent-magnet motors"),
        field=("永磁电机设计", "permanent-magnet motor design"),
        components=(
            ("永磁同步电机", "permanent-magnet synchronous motors"),
            ("新能源汽车驱动电机", "EV traction motors"),
            ("高速永磁电机", "high-speed PM motors"),
            ("伺服电机", "servo motors"),
        ),
        issues=(
            _i(
                ("高温退磁", "high-temperature demagnetisation"),
                ("在150℃以上高温过载工况下永磁体出现不可逆退磁",
                 "above 150 °C under overload the magnets demagnetise irreversibly")),
            _i(
                ("重稀土用量高", "high heavy rare-earth content"),
                ("为保证矫顽力大量使用镝、铽，磁钢成本高",
                 "dysprosium and terbium keep coercivity up but make magnets expensive")),
            _i(
                ("转子温度难监测", "unmeasured rotor temperature"),
                ("转子温度无法直接测量，过温保护策略偏保守",
                 "rotor temperature cannot be measured, so protection is over-conservative")),
        ),
        targets=(
            ("使180℃工况下不可逆退磁率低于3%", "keep irreversible loss below 3% at 180 °C"),
            ("将重稀土用量降低50%", "halve heavy rare-earth use"),
            ("实现转子温度在线估计与退磁保护",
             "estimate rotor temperature online and prevent demagnetisation"),
        ),
        tried=(
            ("提高磁钢牌号", "a higher magnet grade"),
            ("加强冷却", "more cooling"),
        ),
        keywords=(
            ("永磁电机", "permanent-magnet motor"),
            ("退磁", "demagnetisation"),
            ("钕铁硼", "NdFeB"),
            ("重稀土", "heavy rare earth"),
            ("温度场", "temperature field"),
            ("矫顽力", "coercivity"),
        ),
        methods=(
            ("永磁电机退磁风险电磁—热耦合分析", "coupled electromagnetic-thermal demagnetisation analysis"),
            ("晶界扩散低重稀土钕铁硼", "grain-boundary-diffused low-heavy-rare-earth NdFeB"),
            ("转子温度无传感器估计", "sensorless rotor-temperature estimation"),
            ("电机冷却结构优化", "motor cooling design"),
        ),
        equipment=(
            ("永磁材料高温磁性能测量仪", "high-temperature magnet property tester"),
            ("电机温升与效率测试台", "motor temperature-rise and efficiency bench"),
        ),
        achievements=(
            ("使电机在180℃下的退磁率降至2%", "kept demagnetisation at 2% at 180 °C"),
            ("帮助企业减少重稀土用量45%", "cut a maker's heavy rare-earth use by 45%"),
        ),
        trl=(4, 7), extra_needs=1,
    ),
    Topic(
        key="motor_efficiency", chain="smart_motors", firm_chains=("smart_motors", "energy_env_equipment"),
        name=("高效电机能效提升（IE4/IE5）", "Raising motor efficiency to IE4/IE5"),
        field=("电机节能", "motor energy efficiency"),
        components=(
            ("三相异步电机", "three-phase induction motors"),
            ("空压机专用电机", "compressor motors"),
            ("水泵电机", "pump motors"),
            ("同步磁阻电机", "synchronous reluctance motors"),
        ),
        issues=(
            _i(
                ("效率不达标", "efficiency below target"),
                ("样机效率距离IE5限值差约0.8个百分点", "the prototype is about 0.8 points short of IE5")),
            _i(
                ("铁耗偏高", "high iron loss"),
                ("冲片加工应力导致铁耗偏高，硅钢片利用率低",
                 "punching stress raises iron loss and lamination use is poor")),
            _i(
                ("杂散损耗大", "high stray loss"),
                ("杂散损耗占比高，原因难以定位", "stray losses are high and hard to locate")),
        ),
        targets=(
            ("使产品效率达到IE5能效等级", "reach IE5 efficiency"),
            ("将铁耗降低15%", "cut iron loss by 15%"),
            ("建立电机损耗分离与优化设计方法", "separate and optimise motor losses"),
        ),
        tried=(
            ("更换高牌号硅钢片", "better electrical steel"),
            ("增加铜用量", "more copper"),
        ),
        keywords=(
            ("电机能效", "motor efficiency"),
            ("IE5", "IE5"),
            ("铁耗", "iron loss"),
            ("杂散损耗", "stray loss"),
            ("硅钢片", "electrical steel"),
            ("同步磁阻电机", "synchronous reluctance motor"),
        ),
        methods=(
            ("电机损耗分离与多物理场优化设计", "loss separation and multiphysics motor design"),
            ("冲片应力退火与低铁耗工艺", "stress-relief annealing for low iron loss"),
            ("同步磁阻电机转子拓扑优化", "synchronous-reluctance rotor topology optimisation"),
            ("电机能效测试与认证辅导", "efficiency testing and certification support"),
        ),
        equipment=(
            ("电机能效测试系统（0–315kW）", "motor efficiency test system (0–315 kW)"),
        ),
        achievements=(
            ("协助3家企业的产品通过IE5能效认证", "helped three makers certify IE5 products"),
            ("使空压机电机效率提升1.2个百分点", "raised compressor-motor efficiency by 1.2 points"),
        ),
        trl=(5, 8), users=("energy_env_equipment",),
    ),
    Topic(
        key="motor_nvh", chain="smart_motors", firm_chains=("smart_motors",),
        name=("电机电磁噪声与转矩脉动", "Electromagnetic noise and torque ripple of motors"),
        field=("电机振动噪声", "motor NVH"),
        components=(
            ("伺服电机", "servo motors"),
            ("电动汽车驱动电机", "EV drive motors"),
            ("家电变频电机", "inverter motors for appliances"),
            ("电梯曳引机", "lift traction machines"),
        ),
        issues=(
            _i(
                ("齿槽转矩大", "high cogging torque"),
                ("齿槽转矩超过额定转矩的2%，低速运行抖动",
                 "cogging torque exceeds 2% of rated torque and low-speed motion is jerky")),
            _i(
                ("电磁啸叫", "electromagnetic whine"),
                ("特定转速下出现电磁啸叫，整机NVH评价不合格",
                 "whine at certain speeds fails the NVH assessment")),
            _i(
                ("转矩脉动大", "torque ripple"),
                ("转矩脉动影响伺服定位精度", "torque ripple spoils servo positioning")),
        ),
        targets=(
            ("将齿槽转矩降至额定转矩的0.5%以内", "cut cogging torque below 0.5% of rated torque"),
            ("使整机噪声降低5dB(A)", "reduce noise by 5 dB(A)"),
            ("建立电磁噪声仿真预测流程", "set up electromagnetic-noise simulation"),
        ),
        tried=(
            ("斜槽斜极", "skewing"),
            ("增加隔音材料", "sound insulation"),
        ),
        keywords=(
            ("电磁噪声", "electromagnetic noise"),
            ("齿槽转矩", "cogging torque"),
            ("转矩脉动", "torque ripple"),
            ("NVH", "NVH"),
            ("斜极", "skewing"),
            ("模态分析", "modal analysis"),
        ),
        methods=(
            ("电机电磁振动噪声仿真与优化", "simulation and optimisation of electromagnetic vibration"),
            ("齿槽转矩抑制与极槽配合设计", "cogging suppression and slot-pole design"),
            ("谐波电流注入抑制转矩脉动", "harmonic current injection against torque ripple"),
            ("电机模态测试与声学分析", "modal testing and acoustic analysis"),
        ),
        equipment=(
            ("电机NVH测试半消声室", "motor NVH semi-anechoic chamber"),
        ),
        achievements=(
            ("使伺服电机齿槽转矩下降80%", "cut servo cogging torque by 80%"),
            ("帮助企业驱动电机通过整车NVH评审", "helped a maker's traction motor pass vehicle NVH review"),
        ),
        trl=(4, 7),
    ),
    Topic(
        key="motor_drive", chain="smart_motors", firm_chains=("smart_motors", "energy_env_equipment"),
        name=("电机无位置传感器控制与变频驱动", "Sensorless control and variable-frequency drives"),
        field=("电机驱动控制", "motor drives and control"),
        components=(
            ("通用变频器", "variable-frequency drives"),
            ("高速风机驱动器", "high-speed blower drives"),
            ("伺服驱动器", "servo drives"),
            ("压缩机控制器", "compressor controllers"),
        ),
        issues=(
            _i(
                ("低速性能差", "poor low-speed performance"),
                ("无位置传感器控制在低速和零速时转矩波动大，起动失败率高",
                 "sensorless control is unstable at low and zero speed and starts fail")),
            _i(
                ("谐波超标", "harmonic distortion"),
                ("输入电流谐波超标，无法满足电网接入要求", "input-current harmonics exceed grid limits")),
            _i(
                ("功率密度低", "low power density"),
                ("驱动器体积大、散热困难，难以与电机集成",
                 "the drive is bulky, hard to cool and hard to mount on the motor")),
        ),
        targets=(
            ("实现零速满转矩起动", "start at zero speed with full torque"),
            ("将THD降至5%以下", "reduce THD below 5%"),
            ("使驱动器功率密度提升一倍", "double the drive's power density"),
        ),
        tried=(
            ("增加霍尔传感器", "adding Hall sensors"),
            ("加装无源滤波器", "passive filters"),
        ),
        keywords=(
            ("无位置传感器控制", "sensorless control"),
            ("变频驱动", "variable-frequency drive"),
            ("谐波", "harmonics"),
            ("碳化硅", "silicon carbide"),
            ("功率密度", "power density"),
            ("高频注入", "high-frequency injection"),
        ),
        methods=(
            ("高频注入无位置传感器控制", "high-frequency-injection sensorless control"),
            ("碳化硅功率器件驱动器设计", "silicon-carbide power-stage design"),
            ("有源滤波与谐波抑制", "active filtering and harmonic suppression"),
            ("电机—驱动一体化热设计", "integrated motor-drive thermal design"),
        ),
        equipment=(
            ("双向回馈电机驱动测试平台", "regenerative motor-drive test bench"),
        ),
        achievements=(
            ("开发出已在空压机上批量应用的驱动器", "developed a drive now in volume use on air compressors"),
            ("使驱动器体积缩小45%", "shrank a drive by 45%"),
        ),
        trl=(5, 8), users=("energy_env_equipment",),
    ),
    Topic(
        key="hydrogen_drone", chain="hydrogen_drones", firm_chains=("hydrogen_drones",),
        name=("氢燃料无人机续航与一体化结构减重",
              "Endurance and integrated lightweight structures for hydrogen drones"),
        field=("氢动力无人机", "hydrogen-powered drones"),
        components=(
            ("氢燃料电池多旋翼无人机", "hydrogen fuel-cell multirotors"),
            ("垂直起降固定翼无人机", "VTOL fixed-wing drones"),
            ("无人机机身一体化结构", "integrated drone airframes"),
        ),
        issues=(
            _i(
                ("续航不足", "limited endurance"),
                ("满载续航约2小时，难以满足长距离电力巡检需求",
                 "full-load endurance is about 2 hours, too short for long power-line inspection"),
                only=(0, 1)),
            _i(
                ("结构重量大", "heavy structure"),
                ("储氢瓶、电堆与机身分体设计，结构重量占比超过40%",
                 "separate tank, stack and airframe make structure over 40% of mass")),
            _i(
                ("电堆散热困难", "stack cooling"),
                ("高温环境下电堆散热不足，输出功率降额",
                 "the stack overheats in hot weather and power is derated"),
                only=(0, 1)),
        ),
        targets=(
            ("将满载续航提升到4小时以上", "extend full-load endurance beyond 4 hours"),
            ("通过结构功能一体化设计使结构减重20%", "cut structural mass by 20% through integrated design"),
            ("建立氢—电混合能量管理策略", "develop hydrogen-battery energy management"),
            ("解决高温环境下电堆散热与功率降额问题", "solve stack cooling and derating in hot weather"),
        ),
        tried=(
            ("增大储氢瓶容量", "a larger tank"),
            ("更换碳纤维机臂", "carbon-fibre arms"),
        ),
        keywords=(
            ("氢燃料电池", "hydrogen fuel cell"),
            ("无人机", "drone"),
            ("续航", "endurance"),
            ("轻量化", "lightweighting"),
            ("结构功能一体化", "integrated structure"),
            ("能量管理", "energy management"),
        ),
        methods=(
            ("复合材料结构功能一体化设计", "integrated structural-functional composite design"),
            ("氢—电混合动力能量管理", "hydrogen-battery hybrid energy management"),
            ("无人机气动与结构多学科优化", "multidisciplinary aero-structural drone optimisation"),
            ("轻量化高压储氢瓶", "lightweight high-pressure hydrogen tanks"),
        ),
        equipment=(
            ("无人机动力系统测试台", "drone powertrain test bench"),
            ("复合材料热压罐成型线", "composite autoclave line"),
        ),
        achievements=(
            ("参与研制续航达4.5小时的量产型氢动力无人机",
             "contributed to a production hydrogen drone with 4.5 h endurance"),
            ("使无人机机身结构减重23%", "cut drone airframe mass by 23%"),
        ),
        trl=(5, 8), extra_needs=1,
    ),
    Topic(
        key="fuel_cell_stack", chain="hydrogen_drones",
        firm_chains=("hydrogen_drones",),
        name=("燃料电池电堆低温启动与耐久性", "Cold start and durability of fuel-cell stacks"),
        field=("燃料电池技术", "fuel-cell technology"),
        components=(
            ("空冷燃料电池电堆", "air-cooled fuel-cell stacks"),
            ("膜电极", "membrane electrode assemblies"),
            ("金属双极板", "metal bipolar plates"),
            ("氢燃料电池动力系统", "hydrogen fuel-cell power systems"),
            ("无人机用燃料电池模块", "fuel-cell modules for drones"),
        ),
        issues=(
            _i(
                ("低温启动困难", "cold-start failure"),
                ("-20℃环境下启动时间超过5分钟，冬季作业受限",
                 "at -20 °C start-up takes more than 5 minutes, limiting winter work"),
                only=(0, 3, 4)),
            _i(
                ("电压衰减快", "fast degradation"),
                ("频繁启停下电堆电压衰减快，寿命不足2000小时",
                 "stop-start cycling degrades the stack, which lasts under 2,000 hours"),
                only=(0, 1, 3, 4)),
            _i(
                ("双极板腐蚀", "bipolar-plate corrosion"),
                ("金属双极板涂层在湿热环境下腐蚀，接触电阻上升",
                 "plate coatings corrode in humid heat and contact resistance rises"),
                only=(2,)),
        ),
        targets=(
            ("实现-30℃无辅助快速启动", "start unassisted at -30 °C"),
            ("将电堆寿命提升至5000小时", "extend stack life to 5,000 hours"),
            ("开发低成本耐蚀双极板涂层", "develop a low-cost corrosion-resistant coating"),
        ),
        tried=(
            ("增加预热装置", "a pre-heater"),
            ("更换膜电极供应商", "a new MEA supplier"),
        ),
        keywords=(
            ("燃料电池", "fuel cell"),
            ("电堆", "stack"),
            ("低温启动", "cold start"),
            ("膜电极", "membrane electrode assembly"),
            ("双极板", "bipolar plate"),
            ("耐久性", "durability"),
        ),
        methods=(
            ("电堆低温启动水热管理", "water and heat management for cold start"),
            ("膜电极衰减机理与寿命预测", "MEA degradation and life prediction"),
            ("金属双极板耐蚀导电涂层", "corrosion-resistant conductive coatings"),
            ("燃料电池系统控制策略", "fuel-cell system control"),
        ),
        equipment=(
            ("5kW燃料电池电堆测试台", "5 kW fuel-cell stack test station"),
            ("高低温环境试验箱", "climatic test chamber"),
        ),
        achievements=(
            ("帮助企业电堆实现-30℃冷启动", "enabled a partner's stack to start at -30 °C"),
            ("将双极板涂层成本降低40%", "cut bipolar-plate coating cost by 40%"),
        ),
        trl=(4, 7),
    ),
    Topic(
        key="airjet_loom", chain="textile_machinery", firm_chains=("textile_machinery",),
        name=("喷气织机能耗与压缩空气消耗", "Energy and compressed-air use of air-jet looms"),
        field=("纺织机械节能", "textile-machinery energy saving"),
        components=(
            ("喷气织机", "air-jet looms"),
            ("主喷嘴与辅助喷嘴", "main and relay nozzles"),
            ("织造车间空压系统", "weaving-shed compressed-air systems"),
            ("宽幅喷气织机", "wide air-jet looms"),
            ("喷气织机电磁阀组", "air-jet loom valve banks"),
        ),
        issues=(
            _i(
                ("耗气量大", "high air consumption"),
                ("单台织机耗气量偏高，空压机电费占织造成本的三成以上",
                 "air use per loom is high and compressor power is over 30% of weaving cost"),
                only=(0, 2, 3, 4)),
            _i(
                ("引纬不稳定", "unstable weft insertion"),
                ("高速下引纬不稳定，纬停次数多",
                 "weft insertion is unstable at high speed and weft stops are frequent"),
                only=(0, 1, 3)),
            _i(
                ("气流利用率低", "wasteful air jets"),
                ("辅助喷嘴气流扩散快，气流利用率低", "relay-nozzle jets spread quickly and waste air"),
                only=(1, 4)),
        ),
        targets=(
            ("使单位产量耗气量降低15%", "cut air per metre of fabric by 15%"),
            ("开发高效低耗辅助喷嘴", "design efficient relay nozzles"),
            ("实现织机供气压力按需智能调节", "regulate supply pressure on demand"),
        ),
        tried=(
            ("降低供气压力", "lower supply pressure"),
            ("更换进口喷嘴", "imported nozzles"),
        ),
        keywords=(
            ("喷气织机", "air-jet loom"),
            ("能耗", "energy consumption"),
            ("压缩空气", "compressed air"),
            ("引纬", "weft insertion"),
            ("喷嘴", "nozzle"),
            ("流场仿真", "flow simulation"),
        ),
        methods=(
            ("喷嘴气流场CFD仿真与优化", "CFD optimisation of nozzle air flow"),
            ("引纬过程建模与控制", "weft-insertion modelling and control"),
            ("空压系统节能诊断", "energy audits of compressed-air systems"),
            ("织机电控与按需供气", "loom controls with on-demand air"),
        ),
        equipment=(
            ("高速摄影与气流测量系统", "high-speed camera and air-flow measurement"),
        ),
        achievements=(
            ("使试点车间织机耗气量下降18%", "cut air use in a pilot weaving shed by 18%"),
            ("开发出已在200台织机上应用的辅助喷嘴", "developed relay nozzles now fitted to 200 looms"),
        ),
        trl=(5, 8),
    ),
    Topic(
        key="warp_knitting", chain="textile_machinery", firm_chains=("textile_machinery",),
        name=("高速经编机与剑杆织机振动及智能化",
              "Vibration and digitalisation of warp-knitting and rapier machines"),
        field=("高速纺织装备", "high-speed textile machinery"),
        components=(
            ("高速经编机", "high-speed warp-knitting machines"),
            ("剑杆织机", "rapier looms"),
            ("电子提花机", "electronic Jacquards"),
        ),
        issues=(
            _i(
                ("高速振动大", "vibration at speed"),
                ("主轴转速提高到2000转/分以上时机架振动明显，断纱增多",
                 "above 2,000 rpm the frame vibrates and yarn breaks increase")),
            _i(
                ("断纱检测滞后", "late yarn-break detection"),
                ("断纱依赖人工巡检，布面疵点发现滞后",
                 "yarn breaks are found on patrol, so defects are caught late")),
            _i(
                ("设备数据不互通", "no data connectivity"),
                ("设备数据无法采集，难以接入工厂MES",
                 "machine data cannot be collected or linked to the plant MES")),
        ),
        targets=(
            ("使整机振动降低30%", "cut vibration by 30%"),
            ("实现断纱与布面疵点在线检测", "detect yarn breaks and fabric defects online"),
            ("开发织机数据采集与远程运维系统", "build data acquisition and remote service for looms"),
        ),
        tried=(
            ("加厚机架", "a heavier frame"),
            ("增加挡车工", "more operators"),
        ),
        keywords=(
            ("经编机", "warp-knitting machine"),
            ("剑杆织机", "rapier loom"),
            ("振动", "vibration"),
            ("断纱检测", "yarn-break detection"),
            ("布面疵点", "fabric defect"),
            ("数据采集", "data acquisition"),
        ),
        methods=(
            ("高速连杆机构动力学平衡", "dynamic balancing of high-speed linkages"),
            ("布面疵点视觉检测", "vision-based fabric-defect detection"),
            ("纺织装备工业互联网接入", "industrial-internet connectivity for textile machines"),
            ("碳纤维轻量化运动部件", "carbon-fibre moving parts"),
        ),
        equipment=(
            ("纺织机械动态测试平台", "textile-machine dynamic test platform"),
        ),
        achievements=(
            ("使布面疵点在线检出率达到95%", "detected 95% of fabric defects online"),
            ("将经编机主轴转速提高到2600转/分", "raised warp-knitting speed to 2,600 rpm"),
        ),
        trl=(5, 8),
    ),
    Topic(
        key="stenter_heat_recovery", chain="energy_env_equipment",
        firm_chains=("energy_env_equipment", "textile_machinery"),
        name=("印染定型机废气余热回收与VOCs治理", "Heat recovery and VOC abatement for stenter exhaust"),
        field=("印染节能环保装备", "energy and environmental equipment for dyeing"),
        components=(
            ("热定型机", "stenters"),
            ("印染废气处理装置", "dyeing exhaust treatment units"),
            ("高温高压染色机", "high-temperature dyeing machines"),
            ("印染车间余热回收系统", "heat-recovery systems of dyeing shops"),
        ),
        issues=(
            _i(
                ("余热浪费", "wasted heat"),
                ("高温废气和废水余热直接排放，热能利用率不足30%",
                 "hot exhaust and effluent are discharged without recovery and less than 30% of the heat is "
                 "used"),
                only=(0, 2, 3)),
            _i(
                ("油烟堵塞换热器", "fouled heat exchangers"),
                ("废气含油烟和纤维，换热器易堵塞、清洗频繁",
                 "oil mist and lint foul the exchangers, which need frequent cleaning"),
                only=(0, 1, 3)),
            _i(
                ("VOCs排放接近限值", "VOC emissions near limits"),
                ("VOCs排放接近新标准限值，面临整改压力", "VOC emissions are close to the new limits"),
                only=(0, 1)),
        ),
        targets=(
            ("使余热回收率达到60%以上", "recover more than 60% of exhaust heat"),
            ("实现换热器自清洁并连续运行3个月", "run self-cleaning exchangers for three months"),
            ("将VOCs排放浓度降到20mg/m³以下", "keep VOCs below 20 mg/m³"),
        ),
        tried=(
            ("加装水喷淋", "water scrubbing"),
            ("静电除油", "electrostatic oil removal"),
        ),
        keywords=(
            ("余热回收", "waste-heat recovery"),
            ("定型机", "stenter"),
            ("VOCs", "VOCs"),
            ("废气治理", "exhaust treatment"),
            ("换热器", "heat exchanger"),
            ("印染", "dyeing"),
        ),
        methods=(
            ("抗污堵高效换热器设计", "fouling-resistant heat-exchanger design"),
            ("印染废气多级净化工艺", "multi-stage dyeing-exhaust purification"),
            ("余热梯级利用系统集成", "cascade waste-heat utilisation"),
            ("染整工艺能耗诊断", "energy audits of dyeing and finishing"),
        ),
        equipment=(
            ("废气成分在线监测系统", "online exhaust gas analyser"),
        ),
        achievements=(
            ("使改造后的定型机天然气消耗降低22%", "cut stenter gas use by 22% after retrofit"),
            ("帮助印染园区完成VOCs达标改造", "helped a dyeing park bring VOCs within limits"),
        ),
        trl=(5, 8),
    ),
    Topic(
        key="energy_equipment", chain="energy_env_equipment", firm_chains=("energy_env_equipment",),
        name=("高效节能风机与污泥干化装备", "Efficient blowers and sludge-drying equipment"),
        field=("节能环保装备", "energy-saving and environmental equipment"),
        components=(
            ("磁悬浮鼓风机", "magnetic-bearing blowers"),
            ("污泥低温干化机", "low-temperature sludge dryers"),
            ("工业除尘器", "industrial dust collectors"),
            ("高效离心风机", "high-efficiency centrifugal fans"),
        ),
        issues=(
            _i(
                ("能耗偏高", "high energy use"),
                ("设备单位处理能耗比国际先进水平高约20%",
                 "energy per unit processed is about 20% above best practice")),
            _i(
                ("变工况运行不稳定", "unstable at part load"),
                ("负荷波动时设备喘振或效率骤降",
                 "the unit surges or loses efficiency when the load changes"),
                only=(0, 3)),
            _i(
                ("智能化程度低", "little automation"),
                ("缺少在线监测与智能控制，依赖人工调节",
                 "there is no online monitoring and operators adjust by hand")),
        ),
        targets=(
            ("使整机能耗降低15%", "cut energy use by 15%"),
            ("实现全工况智能控制与远程运维", "control all operating points automatically and remotely"),
            ("开发满足一级能效的新产品", "develop a product meeting grade-1 efficiency"),
        ),
        tried=(
            ("更换变频器", "a new inverter"),
            ("优化叶轮型线", "impeller changes"),
        ),
        keywords=(
            ("节能", "energy saving"),
            ("风机", "blower"),
            ("污泥干化", "sludge drying"),
            ("热泵", "heat pump"),
            ("除尘", "dust removal"),
            ("智能控制", "intelligent control"),
        ),
        methods=(
            ("叶轮机械气动设计与优化", "aerodynamic design of turbomachinery"),
            ("热泵低温干化系统", "heat-pump low-temperature drying"),
            ("环保装备智能控制与远程运维", "smart control and remote service for environmental equipment"),
            ("高温过滤材料", "high-temperature filter media"),
        ),
        equipment=(
            ("风机性能试验台", "fan performance test rig"),
        ),
        achievements=(
            ("开发出比传统设备节能40%的热泵干化机",
             "developed a heat-pump dryer that uses 40% less energy than conventional units"),
            ("使磁悬浮鼓风机效率提升6个百分点", "raised magnetic-bearing blower efficiency by 6 points"),
        ),
        trl=(5, 8),
    ),
    Topic(
        key="gear_heat_treatment", chain="key_components",
        firm_chains=("key_components", "wind_power_equipment", "robots_reducers"),
        name=("齿轮渗碳淬火变形与磨齿烧伤", "Carburising distortion and grinding burn of gears"),
        field=("齿轮制造工艺", "gear manufacturing"),
        components=(
            ("减速机硬齿面齿轮", "hardened reducer gears"),
            ("风电齿轮箱行星轮", "planet gears for wind gearboxes"),
            ("汽车变速箱齿轮", "automotive transmission gears"),
        ),
        issues=(
            _i(
                ("渗碳变形大", "carburising distortion"),
                ("渗碳淬火后齿向和齿形畸变大，磨齿余量不均",
                 "lead and profile distort after carburising, leaving uneven grinding stock")),
            _i(
                ("磨齿烧伤", "gear grinding burn"),
                ("磨齿后出现局部烧伤，导致齿面早期点蚀",
                 "grinding burns lead to early pitting of the flanks")),
            _i(
                ("齿轮啸叫", "gear whine"),
                ("齿轮副啸叫明显，传递误差偏大", "the gear pair whines and transmission error is high")),
        ),
        targets=(
            ("使渗碳淬火变形减少40%", "cut carburising distortion by 40%"),
            ("消除磨齿烧伤并建立检测规范", "eliminate grinding burn and standardise its inspection"),
            ("使齿轮精度稳定达到5级", "reach ISO grade 5 consistently"),
            ("降低齿轮副啸叫和传递误差", "reduce gear whine and transmission error"),
        ),
        tried=(
            ("低压真空渗碳", "low-pressure vacuum carburising"),
            ("减小磨削量", "smaller grinding stock"),
        ),
        keywords=(
            ("渗碳淬火", "carburising"),
            ("齿轮", "gear"),
            ("磨齿", "gear grinding"),
            ("热处理变形", "heat-treatment distortion"),
            ("齿面点蚀", "pitting"),
            ("传递误差", "transmission error"),
        ),
        methods=(
            ("齿轮渗碳淬火变形控制", "distortion control in gear carburising"),
            ("成形磨齿工艺与烧伤检测", "form gear grinding and burn inspection"),
            ("齿面修形与传递误差优化", "tooth micro-geometry and transmission-error optimisation"),
            ("齿轮疲劳试验与寿命评估", "gear fatigue testing and life assessment"),
        ),
        equipment=(
            ("齿轮测量中心", "gear measuring centre"),
            ("齿轮疲劳试验机", "gear fatigue tester"),
        ),
        achievements=(
            ("使行星轮渗碳变形降低45%", "cut planet-gear carburising distortion by 45%"),
            ("帮助企业消除批量磨齿烧伤", "helped a maker eliminate batch grinding burn"),
        ),
        trl=(4, 7),
    ),
    Topic(
        key="hydraulics_sealing", chain="key_components", firm_chains=("key_components",),
        name=("液压件内泄漏与密封寿命", "Internal leakage and seal life of hydraulic components"),
        field=("液压与密封", "hydraulics and sealing"),
        components=(
            ("多路换向阀", "multi-way directional valves"),
            ("液压油缸", "hydraulic cylinders"),
            ("柱塞泵", "piston pumps"),
            ("旋转密封件", "rotary seals"),
            ("液压马达", "hydraulic motors"),
        ),
        issues=(
            _i(
                ("内泄漏超标", "internal leakage"),
                ("关键偶件配合间隙一致性差，内泄漏超标、容积效率偏低",
                 "clearances of matched parts vary, so internal leakage is high and volumetric efficiency "
                 "low"),
                only=(0, 1, 2, 4)),
            _i(
                ("密封件早期失效", "early seal failure"),
                ("高压高频工况下密封件磨损快，寿命不足设计值一半",
                 "seals wear fast at high pressure and frequency and reach half their design life"),
                only=(1, 2, 3, 4)),
            _i(
                ("噪声偏高", "high noise"),
                ("压力脉动大、噪声高", "pressure ripple and noise are high"),
                only=(2, 4)),
        ),
        targets=(
            ("使内泄漏降低50%", "halve internal leakage"),
            ("使密封寿命达到进口产品水平", "match imported seal life"),
            ("将泵噪声降低3dB(A)", "cut pump noise by 3 dB(A)"),
        ),
        tried=(
            ("提高珩磨精度", "finer honing"),
            ("更换密封材料", "new seal materials"),
        ),
        keywords=(
            ("液压", "hydraulics"),
            ("内泄漏", "internal leakage"),
            ("密封", "seal"),
            ("柱塞泵", "piston pump"),
            ("压力脉动", "pressure ripple"),
            ("摩擦磨损", "friction and wear"),
        ),
        methods=(
            ("液压元件流场与泄漏仿真", "flow and leakage simulation of hydraulic parts"),
            ("高分子密封材料改性", "modified polymer seal materials"),
            ("柱塞泵配流盘降噪设计", "valve-plate design for quiet pumps"),
            ("精密偶件配磨工艺", "precision matched-pair grinding"),
        ),
        equipment=(
            ("35MPa液压元件综合试验台", "35 MPa hydraulic component test rig"),
        ),
        achievements=(
            ("协助企业将多路阀内泄漏降低60%", "cut a maker's valve leakage by 60%"),
            ("使旋转密封寿命提高2倍", "tripled rotary-seal life"),
        ),
        trl=(4, 7),
    ),
    Topic(
        key="condition_monitoring", chain="sensors_control",
        firm_chains=("sensors_control", "smart_motors", "bearings"),
        name=("轴承与电机状态监测及故障预警",
              "Condition monitoring and fault warning for bearings and motors"),
        field=("智能传感与状态监测", "smart sensing and condition monitoring"),
        components=(
            ("无线振动温度传感器", "wireless vibration-temperature sensors"),
            ("电机健康监测系统", "motor health monitoring systems"),
            ("轴承在线监测模块", "in-line bearing monitors"),
        ),
        issues=(
            _i(
                ("传感器温漂", "sensor drift"),
                ("工业现场温度变化大，传感器零点温漂明显", "large temperature swings cause zero drift")),
            _i(
                ("电池寿命短", "short battery life"),
                ("无线传感节点电池寿命不足1年，维护成本高", "wireless nodes last under a year on batteries")),
            _i(
                ("误报率高", "false alarms"),
                ("基于阈值的报警误报多，用户信任度低",
                 "threshold alarms raise many false alerts and users ignore them")),
        ),
        targets=(
            ("将温漂控制在0.02%FS/℃以内", "keep drift within 0.02 %FS/°C"),
            ("使传感节点电池寿命达到3年", "make nodes last three years on a battery"),
            ("使故障预警准确率达到90%以上", "reach over 90% warning accuracy"),
            ("将报警误报率降到5%以下", "cut false alarms below 5%"),
        ),
        tried=(
            ("软件温度补偿", "software compensation"),
            ("缩短采样周期", "shorter sampling intervals"),
        ),
        keywords=(
            ("状态监测", "condition monitoring"),
            ("振动传感器", "vibration sensor"),
            ("温漂", "temperature drift"),
            ("故障诊断", "fault diagnosis"),
            ("无线传感网络", "wireless sensor network"),
            ("边缘计算", "edge computing"),
        ),
        methods=(
            ("MEMS振动传感器设计与温度补偿", "MEMS vibration-sensor design and temperature compensation"),
            ("低功耗无线传感网络", "low-power wireless sensor networks"),
            ("轴承故障诊断深度学习算法", "deep-learning bearing fault diagnosis"),
            ("边缘智能诊断终端", "edge diagnostic terminals"),
        ),
        equipment=(
            ("传感器标定与环境试验平台", "sensor calibration and environmental test platform"),
        ),
        achievements=(
            ("部署了现场误报率低于5%的诊断模型",
             "deployed a diagnosis model with under 5% false alarms in the field"),
            ("使无线节点电池寿命延长到3.5年", "extended wireless-node battery life to 3.5 years"),
        ),
        trl=(5, 8), users=("smart_motors", "bearings"),
    ),
    Topic(
        key="digital_twin_line", chain="sensors_control",
        firm_chains=("sensors_control", "bearings", "smart_motors", "cnc_machine_tools"),
        name=("装备产线数字孪生与数据采集", "Digital twins and data acquisition for equipment lines"),
        field=("工业互联网与数字孪生", "industrial internet and digital twins"),
        components=(
            ("轴承智能生产线", "smart bearing production lines"),
            ("电机装配线", "motor assembly lines"),
            ("机加工车间", "machining shops"),
        ),
        issues=(
            _i(
                ("设备协议不统一", "heterogeneous protocols"),
                ("车间设备品牌多、协议不统一，数据采集率不足50%",
                 "machines from many vendors use different protocols and under half the data is collected")),
            _i(
                ("排产依赖经验", "experience-based scheduling"),
                ("多品种小批量排产依赖经验，交期波动大",
                 "scheduling of many small batches is manual and delivery slips")),
            _i(
                ("质量追溯困难", "weak traceability"),
                ("产品质量问题无法追溯到工序参数",
                 "quality problems cannot be traced to process parameters")),
        ),
        targets=(
            ("使设备数据采集率达到95%以上", "collect more than 95% of machine data"),
            ("构建产线数字孪生实现虚实联动", "build a line digital twin linked to the real line"),
            ("建立全流程质量追溯系统", "trace quality across the whole process"),
            ("实现多品种小批量智能排产", "schedule many small batches automatically"),
        ),
        tried=(
            ("部署MES系统", "an MES"),
            ("采购数据采集网关", "data gateways"),
        ),
        keywords=(
            ("数字孪生", "digital twin"),
            ("数据采集", "data acquisition"),
            ("工业互联网", "industrial internet"),
            ("智能排产", "intelligent scheduling"),
            ("质量追溯", "quality traceability"),
            ("MES", "MES"),
        ),
        methods=(
            ("多协议设备数据采集与边缘网关", "multi-protocol data acquisition and edge gateways"),
            ("产线数字孪生建模与仿真", "digital-twin modelling of production lines"),
            ("智能排产优化算法", "scheduling optimisation"),
            ("工业大数据质量分析", "industrial big-data quality analysis"),
        ),
        equipment=(
            ("智能制造数字孪生实训平台", "smart-manufacturing digital-twin platform"),
        ),
        achievements=(
            ("为轴承行业产业大脑提供了数据接入方案",
             "provided data connectivity for a bearing-industry brain"),
            ("使合作车间交期达成率提高到96%", "raised a partner shop's on-time delivery to 96%"),
        ),
        trl=(5, 8), products=False,
    ),
)

TOPIC_BY_KEY = {t.key: t for t in TOPICS}


# --- reference names (the regions and chains are those of the migration) -------------------------------

CHAIN_NAMES: dict[str, Bi] = {
    "bearings": ("轴承", "bearing"),
    "smart_motors": ("智能电机", "smart-motor"),
    "cnc_machine_tools": ("数控机床", "CNC machine-tool"),
    "robots_reducers": ("机器人与减速器", "robot and reducer"),
    "energy_env_equipment": ("节能环保装备", "energy and environmental equipment"),
    "hydrogen_drones": ("氢能与无人机", "hydrogen and drone"),
    "textile_machinery": ("纺织机械", "textile-machinery"),
    "key_components": ("关键零部件", "key-component"),
    "wind_power_equipment": ("风电装备", "wind-power equipment"),
    "sensors_control": ("传感与控制系统", "sensing and control"),
}

PLACES: dict[str, Bi] = {
    "330602": ("越城区", "Yuecheng"),
    "330603": ("柯桥区", "Keqiao"),
    "330604": ("上虞区", "Shangyu"),
    "330624": ("新昌县", "Xinchang"),
    "330681": ("诸暨市", "Zhuji"),
    "330683": ("嵊州市", "Shengzhou"),
    "330100": ("杭州市", "Hangzhou"),
    "330200": ("宁波市", "Ningbo"),
}
SHAOXING_DISTRICTS = ("330602", "330603", "330604", "330624", "330681", "330683")

# Firm names start with the place, as Chinese firm names do.
FIRM_PREFIX: dict[str, Bi] = {
    "330602": ("绍兴", "Shaoxing"),
    "330603": ("绍兴柯桥", "Shaoxing Keqiao"),
    "330604": ("上虞", "Shangyu"),
    "330624": ("新昌", "Xinchang"),
    "330681": ("诸暨", "Zhuji"),
    "330683": ("嵊州", "Shengzhou"),
    "330100": ("杭州", "Hangzhou"),
    "330200": ("宁波", "Ningbo"),
}

# How many firms of which chain sit in each district: bearings and motors in Xinchang, machinery in Zhuji
# and Shangyu, textile machinery in Keqiao, motors in Shengzhou; a few neighbours in Hangzhou and Ningbo.
FIRM_ALLOTMENT: dict[str, tuple[tuple[str, int], ...]] = {
    "330624": (("bearings", 6), ("wind_power_equipment", 2), ("cnc_machine_tools", 3),
               ("robots_reducers", 2), ("smart_motors", 2), ("key_components", 1)),
    "330681": (("cnc_machine_tools", 3), ("key_components", 4), ("energy_env_equipment", 2),
               ("hydrogen_drones", 1), ("wind_power_equipment", 1), ("robots_reducers", 1),
               ("sensors_control", 1)),
    "330604": (("smart_motors", 3), ("energy_env_equipment", 3), ("hydrogen_drones", 2),
               ("robots_reducers", 2), ("key_components", 1), ("sensors_control", 1)),
    "330603": (("textile_machinery", 7), ("energy_env_equipment", 3), ("sensors_control", 1),
               ("key_components", 1)),
    "330602": (("sensors_control", 3), ("robots_reducers", 2), ("hydrogen_drones", 2),
               ("key_components", 1), ("cnc_machine_tools", 1), ("smart_motors", 1)),
    "330683": (("smart_motors", 5), ("key_components", 2), ("sensors_control", 1),
               ("energy_env_equipment", 1)),
    "330100": (("sensors_control", 1), ("robots_reducers", 1), ("hydrogen_drones", 1),
               ("cnc_machine_tools", 1)),
    "330200": (("bearings", 1), ("key_components", 1), ("smart_motors", 1), ("textile_machinery", 1)),
}

RELATED_CHAINS: dict[str, tuple[str, ...]] = {
    "bearings": ("wind_power_equipment", "robots_reducers", "key_components"),
    "wind_power_equipment": ("bearings", "key_components"),
    "smart_motors": ("sensors_control", "energy_env_equipment"),
    "cnc_machine_tools": ("key_components", "sensors_control", "robots_reducers"),
    "robots_reducers": ("sensors_control", "key_components", "bearings"),
    "energy_env_equipment": ("smart_motors", "sensors_control"),
    "hydrogen_drones": ("key_components", "sensors_control"),
    "textile_machinery": ("sensors_control", "energy_env_equipment"),
    "key_components": ("bearings", "cnc_machine_tools"),
    "sensors_control": ("robots_reducers", "smart_motors"),
}

PRODUCT_WORDS: dict[str, tuple[Bi, ...]] = {
    "bearings": (("轴承", "Bearing"), ("精密轴承", "Precision Bearing"), ("滚动体", "Rolling Elements")),
    "wind_power_equipment": (("风电轴承", "Wind Bearing"), ("风电部件", "Wind Components")),
    "smart_motors": (("电机", "Motor"), ("电驱科技", "E-Drive Technology"), ("微特电机", "Micro Motor")),
    "cnc_machine_tools": (("数控机床", "CNC Machine Tool"), ("精密机床", "Precision Machine Tool"),
                          ("磨床", "Grinding Machine")),
    "robots_reducers": (("机器人", "Robotics"), ("精密传动", "Precision Drive"),
                        ("智能装备", "Smart Equipment")),
    "energy_env_equipment": (("环保装备", "Environmental Equipment"), ("节能科技", "Energy Technology"),
                             ("热能设备", "Thermal Equipment")),
    "hydrogen_drones": (("氢能科技", "Hydrogen Technology"), ("无人机", "UAV"),
                        ("航空科技", "Aviation Technology")),
    "textile_machinery": (("纺织机械", "Textile Machinery"), ("纺机", "Textile Machine"),
                          ("印染机械", "Dyeing Machinery")),
    "key_components": (("液压", "Hydraulics"), ("齿轮", "Gear"), ("精密零部件", "Precision Parts"),
                       ("密封科技", "Sealing Technology")),
    "sensors_control": (("传感技术", "Sensing Technology"), ("智能控制", "Intelligent Control"),
                        ("工业互联", "Industrial IoT")),
}

# Invented two-character brands are made of one syllable from each list.
BRAND_FIRST: tuple[Bi, ...] = (
    ("恒", "Heng"), ("精", "Jing"), ("嘉", "Jia"), ("晟", "Sheng"), ("鼎", "Ding"), ("瑞", "Rui"),
    ("澄", "Cheng"), ("旭", "Xu"), ("铭", "Ming"), ("致", "Zhi"), ("博", "Bo"), ("星", "Xing"),
    ("驰", "Chi"), ("润", "Run"), ("弘", "Hong"), ("骏", "Jun"), ("峰", "Feng"), ("睿", "Rui"),
)
BRAND_SECOND: tuple[Bi, ...] = (
    ("锐", "rui"), ("达", "da"), ("拓", "tuo"), ("昇", "sheng"), ("诺", "nuo"), ("森", "sen"),
    ("航", "hang"), ("翔", "xiang"), ("泰", "tai"), ("川", "chuan"), ("宇", "yu"), ("辰", "chen"),
    ("衡", "heng"), ("远", "yuan"), ("凯", "kai"), ("隆", "long"),
)

CHAIN_PRODUCTS: dict[str, Bi] = {
    "bearings": ("各类轴承", "bearings"),
    "wind_power_equipment": ("风电轴承与零部件", "wind-turbine bearings and parts"),
    "smart_motors": ("电机及驱动系统", "electric motors and drives"),
    "cnc_machine_tools": ("数控机床", "CNC machine tools"),
    "robots_reducers": ("工业机器人与精密减速器", "industrial robots and precision reducers"),
    "energy_env_equipment": ("节能环保装备", "energy-saving and environmental equipment"),
    "hydrogen_drones": ("氢能无人机与动力系统", "hydrogen drones and power systems"),
    "textile_machinery": ("纺织机械", "textile machinery"),
    "key_components": ("液压件与传动零部件", "hydraulic and drive components"),
    "sensors_control": ("传感器与控制系统", "sensors and control systems"),
}

CUSTOMERS: dict[str, Bi] = {
    "bearings": ("汽车、电机和机床行业客户", "automotive, motor and machine-tool customers"),
    "wind_power_equipment": ("国内主要风电整机厂", "major wind-turbine makers"),
    "smart_motors": ("空压机、水泵和新能源汽车客户", "compressor, pump and electric-vehicle customers"),
    "cnc_machine_tools": ("汽车零部件和模具企业", "automotive-parts and die makers"),
    "robots_reducers": ("工业机器人本体厂商", "industrial-robot makers"),
    "energy_env_equipment": ("印染、化工和市政环保项目", "dyeing, chemical and municipal projects"),
    "hydrogen_drones": ("电力巡检和应急测绘用户", "power-line inspection and emergency-mapping users"),
    "textile_machinery": ("绍兴及周边的织造印染企业", "weaving and dyeing mills around Shaoxing"),
    "key_components": ("工程机械和通用装备厂商", "construction-machinery and general-equipment makers"),
    "sensors_control": ("装备制造企业和产业园区", "equipment makers and industrial parks"),
}

LABS: dict[str, Bi] = {
    "bearings": ("滚动轴承与摩擦学实验室", "Rolling Bearing and Tribology Lab"),
    "wind_power_equipment": ("风电装备可靠性研究中心", "Wind Equipment Reliability Centre"),
    "smart_motors": ("特种电机与驱动控制研究所", "Electric Machines and Drives Group"),
    "cnc_machine_tools": ("数控装备与精密制造研究中心", "CNC Equipment and Precision Manufacturing Centre"),
    "robots_reducers": ("机器人传动与控制实验室", "Robot Transmission and Control Lab"),
    "energy_env_equipment": ("节能环保装备工程研究中心", "Energy and Environmental Equipment Centre"),
    "hydrogen_drones": ("氢能动力与飞行器结构实验室", "Hydrogen Power and Airframe Lab"),
    "textile_machinery": ("纺织装备数字化研究所", "Textile Machinery Digitalisation Group"),
    "key_components": ("精密成形与表面工程实验室", "Precision Forming and Surface Engineering Lab"),
    "sensors_control": ("智能传感与工业互联网实验室", "Smart Sensing and Industrial Internet Lab"),
}


@dataclass(frozen=True)
class ResearchOrg:
    key: str
    kind: str
    name: Bi
    region: str
    chains: tuple[str, ...]
    short: str
    slug: str


RESEARCH_ORGS: tuple[ResearchOrg, ...] = (
    ResearchOrg("u-dongzhe", "university",
                ("浙东理工大学", "East Zhejiang University of Technology"), "330100",
                ("bearings", "cnc_machine_tools", "robots_reducers", "sensors_control",
                 "wind_power_equipment"), "浙东理工", "ezut"),
    ResearchOrg("u-qiantang", "university",
                ("钱塘科技大学", "Qiantang University of Science and Technology"), "330100",
                ("smart_motors", "sensors_control", "hydrogen_drones", "energy_env_equipment",
                 "cnc_machine_tools"), "钱塘科大", "qust"),
    ResearchOrg("u-yongjiang", "university",
                ("甬江工程大学", "Yongjiang University of Engineering"), "330200",
                ("key_components", "cnc_machine_tools", "textile_machinery", "smart_motors", "bearings"),
                "甬江工大", "yue"),
    ResearchOrg("u-jishan", "university", ("稽山工学院", "Jishan Institute of Technology"), "330602",
                ("textile_machinery", "key_components", "bearings", "energy_env_equipment",
                 "sensors_control"), "稽山工学院", "jit"),
    ResearchOrg("u-hangkong", "university", ("杭州航空动力学院", "Hangzhou College of Aero Power"), "330100",
                ("hydrogen_drones", "key_components", "sensors_control", "robots_reducers"),
                "杭航动力", "hcap"),
    ResearchOrg("i-chuandong", "institute",
                ("绍兴精密传动研究院", "Shaoxing Precision Transmission Institute"), "330624",
                ("bearings", "robots_reducers", "wind_power_equipment", "cnc_machine_tools"),
                "精密传动院", "spti"),
    ResearchOrg("i-zhuji", "institute",
                ("诸暨高端装备创新中心", "Zhuji High-end Equipment Innovation Centre"), "330681",
                ("cnc_machine_tools", "key_components", "energy_env_equipment", "wind_power_equipment"),
                "诸暨装备中心", "zheic"),
    ResearchOrg("i-shangyu", "institute", ("上虞绿色动力研究院", "Shangyu Green Power Institute"), "330604",
                ("energy_env_equipment", "hydrogen_drones", "smart_motors"), "上虞绿动院", "sgpi"),
    ResearchOrg("i-keqiao", "institute",
                ("柯桥纺织装备技术研究所", "Keqiao Textile Machinery Institute"), "330603",
                ("textile_machinery", "energy_env_equipment", "sensors_control"), "柯桥纺装所", "ktmi"),
    ResearchOrg("i-shengzhou", "institute",
                ("嵊州电机与驱动研究中心", "Shengzhou Motor and Drive Centre"), "330683",
                ("smart_motors", "sensors_control", "key_components"), "嵊州电驱中心", "smdc"),
    ResearchOrg("i-yongcheng", "institute",
                ("甬城先进制造研究所", "Yongcheng Advanced Manufacturing Institute"), "330200",
                ("robots_reducers", "sensors_control", "key_components", "bearings", "cnc_machine_tools"),
                "甬城先进所", "yami"),
    ResearchOrg("i-ganzhi", "institute",
                ("杭州智能感知研究院", "Hangzhou Intelligent Sensing Institute"), "330100",
                ("sensors_control", "robots_reducers", "smart_motors", "textile_machinery"),
                "杭州感知院", "hisi"),
    ResearchOrg("f-rheinau", "university", ("莱瑙应用技术大学", "Technische Hochschule Rheinau"), "DE",
                ("bearings", "wind_power_equipment", "cnc_machine_tools", "key_components"),
                "莱瑙工大", "th-rheinau"),
    ResearchOrg("f-kansai", "foreign_partner",
                ("关西精密工学研究所", "Kansai Institute of Precision Engineering"), "JP",
                ("robots_reducers", "cnc_machine_tools", "bearings", "sensors_control"),
                "关西精工所", "kipe"),
    ResearchOrg("f-northmoor", "university", ("诺斯穆尔大学", "University of Northmoor"), "GB",
                ("hydrogen_drones", "smart_motors", "energy_env_equipment", "sensors_control"),
                "诺斯穆尔大学", "northmoor"),
    ResearchOrg("f-valsesia", "university", ("瓦尔塞西亚理工大学", "Politecnico di Valsesia"), "IT",
                ("textile_machinery", "cnc_machine_tools", "energy_env_equipment"),
                "瓦尔塞西亚理工", "polivalsesia"),
    ResearchOrg("f-gota", "university", ("约塔理工学院", "Göta Institute of Technology"), "SE",
                ("bearings", "wind_power_equipment", "sensors_control", "key_components"),
                "约塔理工", "gota-tech"),
    ResearchOrg("f-alpenrhein", "foreign_partner",
                ("阿尔卑莱茵驱动技术研究所", "Alpenrhein Institute of Drive Technology"), "CH",
                ("smart_motors", "robots_reducers", "cnc_machine_tools"), "阿尔卑莱茵所", "aidt"),
    ResearchOrg("f-hanbit", "foreign_partner",
                ("韩光机器人研究院", "Hanbit Robotics Research Institute"), "KR",
                ("robots_reducers", "hydrogen_drones", "sensors_control"), "韩光机器人院", "hrri"),
    ResearchOrg("f-lakeshore", "university", ("湖岸理工学院", "Lakeshore Institute of Technology"), "US",
                ("hydrogen_drones", "energy_env_equipment", "smart_motors", "textile_machinery"),
                "湖岸理工", "lit"),
    ResearchOrg("f-rheinwerk", "foreign_partner", ("莱茵沃克驱动有限公司", "Rheinwerk Antriebe GmbH"), "DE",
                ("smart_motors", "robots_reducers"), "莱茵沃克", "rheinwerk"),
    ResearchOrg("f-nordhavn", "foreign_partner", ("诺德港风电部件公司", "Nordhavn Wind Components AB"), "SE",
                ("wind_power_equipment", "bearings"), "诺德港风电", "nordhavn"),
)
FOREIGN_COMPANIES = frozenset({"f-rheinwerk", "f-nordhavn"})

# key, name, English name, region
GOVERNMENT_ORGS: tuple[tuple[str, str, str, str], ...] = (
    ("g-sx-jxj", "绍兴市经济和信息化局产业链工作专班", "Shaoxing Economy and IT Bureau, chain task force",
     "330600"),
    ("g-sx-kjj", "绍兴市科学技术局成果转化处", "Shaoxing Science and Technology Bureau, transfer office",
     "330600"),
    ("g-sx-fgw", "绍兴市发展和改革委员会高端装备产业链工作组", "Shaoxing DRC, high-end equipment chain group",
     "330600"),
    ("g-xc-jxj", "新昌县经济和信息化局", "Xinchang Economy and IT Bureau", "330624"),
    ("g-zj-kjj", "诸暨市科学技术局", "Zhuji Science and Technology Bureau", "330681"),
    ("g-sy-jxj", "上虞区经济和信息化局", "Shangyu Economy and IT Bureau", "330604"),
)

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许傅沈曾彭吕"
GIVEN_NAMES = (
    "建华", "志远", "海涛", "文博", "晓明", "丽娟", "俊杰", "雪峰", "明轩", "思源", "立新", "国栋", "振宇",
    "晨阳", "婉清", "亚男", "浩然", "子涵", "宏伟", "永康", "佳琪", "学军", "春燕", "云飞", "鹏程", "一鸣",
    "书恒", "若晴",
)
FOREIGN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DE": (("Anna", "Lukas", "Jonas", "Miriam", "Felix", "Katrin"),
           ("Vogel", "Brandt", "Hartmann", "Keller", "Lorenz", "Albrecht")),
    "JP": (("Haruto", "Yui", "Kenji", "Aiko", "Takeshi", "Naomi"),
           ("Sakamoto", "Fujita", "Morimoto", "Ishikawa", "Nakano", "Okada")),
    "GB": (("Oliver", "Amelia", "George", "Isla", "Harry", "Freya"),
           ("Whitfield", "Ashworth", "Pennington", "Hale", "Carver", "Fairbairn")),
    "IT": (("Giulia", "Marco", "Chiara", "Luca", "Francesca", "Matteo"),
           ("Bellandi", "Ferraris", "Gallo", "Moretti", "Rinaldi", "Santoro")),
    "SE": (("Erik", "Astrid", "Lars", "Ingrid", "Johan", "Maja"),
           ("Lindqvist", "Berglund", "Sandberg", "Holm", "Ekström", "Nyberg")),
    "CH": (("Reto", "Corinne", "Urs", "Seraina", "Beat", "Nadine"),
           ("Gerber", "Brunner", "Zürcher", "Baumann", "Frei", "Wyss")),
    "KR": (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Dong-hyun", "Su-bin"),
           ("Kim", "Park", "Choi", "Jung", "Kang", "Yoon")),
    "US": (("Emily", "Michael", "Sarah", "Daniel", "Rachel", "Andrew"),
           ("Caldwell", "Brennan", "Whitaker", "Donovan", "Holloway", "Sutton")),
}
PATENT_OFFICES = {"DE": "EP", "IT": "EP", "SE": "EP", "CH": "EP", "GB": "GB", "JP": "JP", "KR": "KR",
                  "US": "US"}


# --- sentence templates -----------------------------------------------------------------------------

NEED_CONTEXT_ZH = (
    "我公司主要生产{comp}，产品配套{customer}。",
    "公司是{place}的{chain}企业，{comp}是主导产品之一。",
    "随着{customer}对质量和可靠性的要求不断提高，公司{comp}产品面临升级压力。",
    "公司近年来扩大了{comp}产能，但关键工艺仍存在短板。",
)
# For firms that use the component, or whose problem is a step of production rather than a product.
NEED_USER_CONTEXT_ZH = (
    "我公司主导产品为{product}，{comp}环节存在明显短板。",
    "公司是{place}的{chain}企业，{comp}是当前生产中的薄弱环节。",
    "公司{product}产品的质量和交付受{comp}环节制约。",
)
NEED_SYMPTOM_ZH = ("目前，{detail}。", "在生产和客户使用中发现，{detail}。",
                   "{detail}，已影响批量交付和客户认可。")
NEED_TRIED_ZH = ("我们曾尝试{tried}，效果有限。", "前期通过{tried}做过改进，问题仍未根本解决。")
NEED_TARGET_ZH = ("希望与高校或科研院所合作，{target}。", "拟通过产学研联合攻关，{target}。",
                  "期望借助外部研发力量{target}。")
NEED_CONSTRAINT_ZH = (
    "方案需在现有产线上实施，不影响生产节拍。", "公司可提供试验样件、工艺参数和现场测试条件。",
    "优先考虑一年内可完成中试验证的技术路线。", "改造投入需控制在预算范围内，优先采用国产化设备。",
    "成果需通过主要客户的认证审核。",
)
NEED_TITLE_ZH = ("{comp}{issue}问题攻关", "{comp}{issue}", "解决{comp}{issue}难题", "{comp}{issue}技术需求")

NEED_CONTEXT_EN = (
    "We make {comp} for {customer}.",
    "We are a {chain} manufacturer in {place}, and {comp} are one of our main products.",
    "As {customer} ask for higher quality and reliability, our {comp} need an upgrade.",
)
NEED_USER_CONTEXT_EN = (
    "We make {product}, and we struggle with {comp}.",
    "We are a {chain} manufacturer in {place}; {comp} hold back our production.",
)
NEED_SYMPTOM_EN = ("At present, {detail}.", "In production and in the field, {detail}.")
NEED_TRIED_EN = ("We have tried {tried}, with limited effect.",
                 "Earlier attempts with {tried} did not solve it.")
NEED_TARGET_EN = ("We are looking for a research partner to {target}.",
                  "The aim of a joint project is to {target}.")
NEED_CONSTRAINT_EN = (
    "The solution must run on the existing line without slowing it down.",
    "We can provide test parts, process data and on-site trials.",
    "We prefer a route that can be piloted within a year.",
    "Results must pass our key customers' qualification.",
)

SERVICES: tuple[Bi, ...] = (
    ("现场诊断与工艺咨询", "on-site diagnosis and process consulting"),
    ("联合开发与中试验证", "joint development and pilot validation"),
    ("工艺试验和检测分析", "process trials and test analysis"),
    ("技术培训与工程师联合培养", "training and joint education of engineers"),
    ("联合申报省市科技项目", "support for joint applications to provincial and city programmes"),
)
PATENT_TYPES: tuple[Bi, ...] = (
    ("加工方法", "Processing method for"), ("检测方法", "Inspection method for"),
    ("控制方法", "Control method for"), ("装置", "Device for"), ("系统", "System for"),
)
LICENCES: tuple[Bi, ...] = (
    ("可转让、许可或作价入股", "Available for assignment, licensing or as an equity contribution"),
    ("支持普通许可并提供技术指导", "Available for non-exclusive licensing with technical support"),
    ("可与企业联合实施转化", "Open to joint implementation with a manufacturer"),
)
STAGES: dict[int, Bi] = {
    3: ("实验室原理验证", "proof of concept in the lab"), 4: ("实验室原理验证",
                                                       "proof of concept in the lab"),
    5: ("实验室样机验证", "lab prototype validation"), 6: ("中试验证", "pilot validation"),
    7: ("生产线示范应用", "demonstration on a production line"), 8: ("小批量推广应用",
                                                              "small-series application"),
    9: ("规模化应用", "volume application"),
}
TRANSFER_MODES: tuple[Bi, ...] = (("技术许可", "licensing"), ("作价入股", "an equity partnership"),
                                  ("联合开发", "joint development"), ("技术转让", "outright transfer"))

DECLINE_NOTES: dict[str, tuple[Bi, ...]] = {
    "trl_too_early": (("成果尚处于实验室阶段，距离产线应用差距较大", "the result is still at lab stage"),
                      ("需要的中试周期超过企业可接受范围", "the pilot phase would take too long")),
    "unclear_benefit": (("投入产出测算不明确，暂不推进", "the return on investment is unclear"),
                        ("改进幅度不足以覆盖改造成本", "the gain would not cover the retrofit cost")),
    "out_of_scope": (("团队研究方向与本需求的工况不一致", "the team works on a different duty"),
                     ("技术路线与企业现有产线不匹配", "the approach does not fit our line")),
    "budget": (("报价超出本年度研发预算", "the quote exceeds this year's R&D budget"),
               ("合作费用与企业预算差距较大", "the cost is far above our budget")),
    "already_solved": (("企业已与其他团队达成合作", "we already work with another team on this"),
                       ("问题已通过设备供应商解决", "our equipment supplier solved the problem")),
    "other": (("企业内部调整，需求暂缓", "the need is on hold after an internal reorganisation"),
              ("双方就知识产权归属未达成一致", "no agreement on IP ownership")),
}
DECLINE_WEIGHTS = {"trl_too_early": 25, "unclear_benefit": 20, "out_of_scope": 15, "budget": 20,
                   "already_solved": 10, "other": 10}

MILESTONES: tuple[Bi, ...] = (
    ("技术方案评审与任务书签订", "Technical plan review and contract"),
    ("实验室样件试制", "Laboratory samples"), ("关键工艺参数优化", "Optimisation of key process parameters"),
    ("中试验证与第三方检测", "Pilot validation and third-party testing"),
    ("产线批量验证", "Series validation on the production line"),
    ("项目验收与成果鉴定", "Acceptance and appraisal of results"),
)

PARTNERSHIP_TEXT: dict[str, str] = {
    "joint_rd": "双方围绕{topic}开展联合研发，共建联合实验室并共享试验数据",
    "licensing": "{foreign}向{local}许可“{method}”相关专利技术，用于{comp}产品升级",
    "investment": "{foreign}对{local}进行技术型投资，共同建设{field}产线",
    "talent_exchange": "双方互派工程师和研究生开展为期半年的交流，聚焦{field}",
    "co_publication": "双方围绕“{method}”联合发表论文并共享实验数据",
}
PARTNERSHIP_KIND_WEIGHTS = {"joint_rd": 30, "licensing": 18, "investment": 12, "talent_exchange": 20,
                            "co_publication": 20}
PARTNERSHIP_VALUES = {"joint_rd": (800_000, 6_000_000), "licensing": (300_000, 3_000_000),
                      "investment": (5_000_000, 60_000_000), "talent_exchange": (50_000, 600_000),
                      "co_publication": (0, 0)}


# --- the plan ---------------------------------------------------------------------------------------


@dataclass
class OrgPlan:
    key: str
    kind: str
    name: str
    name_en: str
    region: str
    chains: tuple[str, ...]
    short: str
    slug: str = ""
    flags: dict[str, bool] = field(default_factory=dict)
    joined_at: datetime | None = None

    @property
    def country(self) -> str:
        return self.region if self.region.isalpha() else "CN"

    @property
    def is_research(self) -> bool:
        return self.kind in ("university", "institute", "foreign_partner")


@dataclass
class NeedPlan:
    org: str
    topic: str
    language: str
    title: str
    subject: str  # the title without its framing, for the titles of joint projects
    description: str
    summary: str | None
    chain: str
    keywords: list[str]
    concepts: frozenset[int]  # indexes of the topic's keywords, to explain matches across languages
    trl_min: int
    trl_max: int
    budget_min: Decimal | None
    budget_max: Decimal | None
    deadline: date | None
    visibility: str
    posted_at: datetime | None = None


@dataclass
class CapabilityPlan:
    org: str
    topic: str
    language: str
    kind: str
    title: str
    description: str
    chain: str
    keywords: list[str]
    concepts: frozenset[int]
    team: str
    trl: int | None
    patent_numbers: list[str]
    contact: str
    posted_at: datetime | None = None


@dataclass
class MatchStep:
    action: str  # firm | university | decline | expire
    at: datetime
    reason: str | None = None
    note: str | None = None


@dataclass
class MatchPlan:
    need: int
    capability: int
    dense: float
    lexical: float | None
    fused: float
    rank: int
    explanation: dict
    proposed_at: datetime
    steps: list[MatchStep] = field(default_factory=list)

    @property
    def accepted_at(self) -> datetime | None:
        interested = {s.action for s in self.steps}
        return self.steps[-1].at if {"firm", "university"} <= interested else None


@dataclass
class ProjectPlan:
    title: str
    match: int | None  # index into Dataset.matches
    parties: list[str]  # organisation keys, for projects that did not come from a match
    chain: str | None
    contract_value: Decimal
    major_level: str
    created_at: datetime
    steps: list[tuple[str, datetime]] = field(default_factory=list)
    milestones: list[tuple[str, date, date | None]] = field(default_factory=list)


@dataclass
class PartnershipPlan:
    local: str
    foreign: str
    kind: str
    chain: str
    value: Decimal
    started_on: date
    ended_on: date | None
    description: str
    at: datetime


@dataclass
class UserPlan:
    email: str
    role: str
    org: str | None
    locale: str = "zh_CN"


@dataclass
class Dataset:
    organisations: list[OrgPlan]
    needs: list[NeedPlan]
    capabilities: list[CapabilityPlan]
    matches: list[MatchPlan]
    projects: list[ProjectPlan]
    partnerships: list[PartnershipPlan]
    users: list[UserPlan]


def history_window(today: date) -> tuple[datetime, datetime]:
    """The 24 whole months before today's month: [start, end)."""
    end = datetime(today.year, today.month, 1, tzinfo=CST)
    months = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    start = datetime(months // 12, months % 12 + 1, 1, tzinfo=CST)
    return start, end


def build(today: date) -> Dataset:
    """The whole sample data set; the same for the same `today`, and the same texts for any `today`."""
    content = _Content(random.Random(SEED))
    history = _History(random.Random(SEED + 1), content, today)
    return history.dataset()


def _cap1(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower1(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (IE5, RV, CNC)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _money(value: float, step: int = 10_000) -> Decimal:
    return Decimal(int(round(value / step)) * step)


class _Content:
    """Organisations, needs and capabilities: the texts, independent of the date."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.orgs: list[OrgPlan] = []
        self.by_key: dict[str, OrgPlan] = {}
        self._pis: dict[tuple[str, str], str] = {}
        self._titles: set[str] = set()
        self._firms()
        self._research()
        self._government()
        self.needs = self._needs()
        self.capabilities = self._capabilities()

    # organisations

    def _add(self, org: OrgPlan) -> None:
        self.orgs.append(org)
        self.by_key[org.key] = org

    def _firms(self) -> None:
        rng = self.rng
        brands = [(a[0] + b[0], a[1] + b[1]) for a in BRAND_FIRST for b in BRAND_SECOND if a[0] != b[0]]
        rng.shuffle(brands)
        brands = [b for b in brands if b[0] != "恒锐"]
        # The firm of the demo firm user comes first: a Xinchang bearing maker, a "little giant".
        self._add(OrgPlan(
            key="firm-000", kind="firm", name="新昌恒锐精密轴承有限公司" + SAMPLE_ZH,
            name_en="Xinchang Hengrui Precision Bearing Co., Ltd." + SAMPLE_EN, region="330624",
            chains=("bearings", "wind_power_equipment"), short="恒锐轴承", slug="hengrui",
            flags={"is_little_giant": True, "is_high_tech": True, "is_verified": True},
        ))
        allotment = [(region, chain) for region, chains in FIRM_ALLOTMENT.items()
                     for chain, count in chains for _ in range(count)]
        allotment.remove(("330624", "bearings"))
        for n, (region, chain) in enumerate(allotment, start=1):
            brand_zh, brand_en = brands[n]
            chains = [chain]
            if rng.random() < 0.35:
                chains.append(rng.choice(RELATED_CHAINS[chain]))
            listed = rng.random() < 0.08
            leader = listed or rng.random() < 0.06
            flags = {
                "is_listed": listed,
                "is_chain_leader": leader,
                "is_little_giant": not listed and rng.random() < 0.15,
                "is_high_tech": leader or rng.random() < 0.4,
                "is_verified": True,
            }
            # Every sample organisation is verified (its postings are published); the roll keeps the seed's
            # sequence, so the rest of the sample data stays as it was.
            _ = leader or rng.random() < 0.7
            prefix_zh, prefix_en = ("浙江", "Zhejiang") if leader else FIRM_PREFIX[region]
            product_zh, product_en = rng.choice(PRODUCT_WORDS[chain])
            suffix_zh, suffix_en = ("股份有限公司", "Co., Ltd.") if listed else ("有限公司", "Co., Ltd.")
            self._add(OrgPlan(
                key=f"firm-{n:03d}", kind="firm",
                name=f"{prefix_zh}{brand_zh}{product_zh}{suffix_zh}{SAMPLE_ZH}",
                name_en=f"{prefix_en} {brand_en} {product_en} {suffix_en}{SAMPLE_EN}",
                region=region, chains=tuple(chains), short=brand_zh + product_zh, slug=brand_en.lower(),
                flags={k: v for k, v in flags.items() if v},
            ))

    def _research(self) -> None:
        for r in RESEARCH_ORGS:
            self._add(OrgPlan(key=r.key, kind=r.kind, name=r.name[0] + SAMPLE_ZH,
                              name_en=r.name[1] + SAMPLE_EN, region=r.region, chains=r.chains,
                              short=r.short, slug=r.slug,
                              flags={"is_verified": True}))

    def _government(self) -> None:
        for key, name, name_en, region in GOVERNMENT_ORGS:
            self._add(OrgPlan(key=key, kind="government", name=name + SAMPLE_ZH, name_en=name_en + SAMPLE_EN,
                              region=region, chains=(), short=name[:6], slug=key,
                              flags={"is_verified": True}))

    def firms(self) -> list[OrgPlan]:
        return [o for o in self.orgs if o.kind == "firm"]

    def research(self, *, foreign: bool) -> list[OrgPlan]:
        return [o for o in self.orgs if o.is_research and (o.country != "CN") == foreign]

    # needs

    def _needs(self) -> list[NeedPlan]:
        rng = self.rng
        firms = self.firms()
        posted: dict[str, int] = {f.key: 0 for f in firms}
        needs: list[NeedPlan] = []
        english_topics = set(rng.sample([t.key for t in TOPICS], 12))
        for topic in TOPICS:
            eligible = [f for f in firms if set(f.chains) & set(topic.firm_chains)]
            pairs = [(c, i) for i, issue in enumerate(topic.issues)
                     for c in (issue.only or range(len(topic.components)))]
            rng.shuffle(pairs)
            count = min(len(pairs), 8 + topic.extra_needs)
            plan = [(pair, "zh") for pair in pairs[:count]]
            if topic.key in english_topics:
                plan.append((pairs[-1], "en"))
            for (c, i), language in plan:
                # Spread needs over the firms; the demo firm user's firm posts a few more.
                weights = [(4.0 if f.key == "firm-000" else 1.0) / (1 + posted[f.key]) ** 1.5
                           for f in eligible]
                firm = rng.choices(eligible, weights)[0]
                posted[firm.key] += 1
                needs.append(self._need(topic, firm, topic.components[c], topic.issues[i], language))
        return needs

    def _need(self, topic: Topic, firm: OrgPlan, comp: Bi, issue: Issue, language: str) -> NeedPlan:
        rng = self.rng
        zh = language == "zh"
        lang = 0 if zh else 1
        detail = issue.detail[lang].replace("{pct}", str(rng.randint(2, 8)))
        target, tried = _closest(rng, issue, topic.targets)[lang], _closest(rng, issue, topic.tried)[lang]
        made_as = topic.made_by(firm.chains)
        primary = made_as or firm.chains[0]
        fill = {"comp": comp[lang], "customer": CUSTOMERS[primary][lang], "place": PLACES[firm.region][lang],
                "chain": CHAIN_NAMES[firm.chains[0]][lang], "product": CHAIN_PRODUCTS[firm.chains[0]][lang],
                "detail": detail, "tried": tried, "target": target}
        templates = (
            (NEED_CONTEXT_ZH, NEED_USER_CONTEXT_ZH, NEED_SYMPTOM_ZH, NEED_TRIED_ZH, NEED_TARGET_ZH,
             NEED_CONSTRAINT_ZH) if zh else
            (NEED_CONTEXT_EN, NEED_USER_CONTEXT_EN, NEED_SYMPTOM_EN, NEED_TRIED_EN, NEED_TARGET_EN,
             NEED_CONSTRAINT_EN)
        )
        maker, user, symptom, tried_t, target_t, constraint = templates
        context = maker if made_as else user
        sentences = [rng.choice(context).format(**fill), rng.choice(symptom).format(**fill)]
        if rng.random() < 0.5:
            sentences.append(rng.choice(tried_t).format(**fill))
        sentences.append(rng.choice(target_t).format(**fill))
        if rng.random() < 0.55:
            sentences.append(rng.choice(constraint))
        subject = f"{comp[0]}{issue.short[0]}" if zh else f"{issue.short[1]} in {comp[1]}"
        if zh:
            title = rng.choice(NEED_TITLE_ZH).format(comp=comp[0], issue=issue.short[0])
        else:
            title = _cap1(subject)
        while title in self._titles:
            title = title + ("（二期）" if zh else " (phase 2)")
        self._titles.add(title)
        description = ("" if zh else " ").join(sentences)
        concepts = frozenset(rng.sample(range(len(topic.keywords)), rng.randint(4, 5)))
        trl_min = max(2, min(7, rng.randint(topic.trl[0] - 1, topic.trl[0] + 1)))
        trl_max = min(9, trl_min + rng.randint(2, 4))
        budget_min = budget_max = None
        if rng.random() < 0.92:
            low = rng.choices([100_000, 200_000, 300_000, 500_000, 800_000, 1_000_000, 1_500_000, 2_000_000,
                               3_000_000], [6, 9, 10, 12, 9, 8, 5, 4, 2])[0]
            budget_min = Decimal(low)
            budget_max = _money(low * rng.choice([1.5, 2, 2.5, 3, 4]))
        roll = rng.random()
        visibility = "confidential" if roll < 0.10 else "registered" if roll < 0.25 else "public"
        summary = None
        if visibility == "confidential":
            chain_zh, chain_en = CHAIN_NAMES[topic.chain]
            summary = (f"{chain_zh}领域企业寻求{topic.field[0]}方面的技术合作，"
                       "具体技术参数和应用场景签署保密协议后提供。"
                       if zh else
                       f"A {chain_en} manufacturer seeks cooperation on {topic.field[1]}; "
                       "details are shared under a non-disclosure agreement.")
        return NeedPlan(
            org=firm.key, topic=topic.key, language=language, title=title, subject=subject,
            description=description,
            summary=summary, chain=topic.chain, keywords=[topic.keywords[k][lang] for k in sorted(concepts)],
            concepts=concepts,
            trl_min=trl_min, trl_max=trl_max, budget_min=budget_min, budget_max=budget_max, deadline=None,
            visibility=visibility,
        )

    # capabilities

    def _pi(self, org: OrgPlan, chain: str) -> str:
        key = (org.key, chain)
        if key not in self._pis:
            if org.country == "CN":
                self._pis[key] = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            else:
                firsts, lasts = FOREIGN_NAMES[org.country]
                self._pis[key] = f"{self.rng.choice(firsts)} {self.rng.choice(lasts)}"
        return self._pis[key]

    def _capabilities(self) -> list[CapabilityPlan]:
        rng = self.rng
        domestic, foreign = self.research(foreign=False), self.research(foreign=True)
        caps: list[CapabilityPlan] = []
        for topic in TOPICS:
            local = [o for o in domestic if topic.chain in o.chains]
            abroad = [o for o in foreign if topic.chain in o.chains] or foreign
            plan = [(o, "zh") for o in _spread(rng, local, 16)]
            plan += [(o, "en") for o in _spread(rng, local, 2)]
            plan += [(o, "en") for o in _spread(rng, abroad, 6)]
            for org, language in plan:
                kind = rng.choices(["expertise", "patent", "equipment", "result"], [35, 30, 12, 23])[0]
                caps.append(self._capability(topic, org, kind, language))
        return caps

    def _capability(self, topic: Topic, org: OrgPlan, kind: str, language: str) -> CapabilityPlan:
        rng = self.rng
        zh = language == "zh"
        lang = 0 if zh else 1
        pi = self._pi(org, topic.chain)
        lab = LABS[topic.chain]
        if zh:
            team = f"{lab[0]}·{pi}教授团队"
        elif org.country == "CN":
            team = f"{lab[1]}, {org.name_en.removesuffix(SAMPLE_EN)}"
        elif org.key in FOREIGN_COMPANIES:
            team = f"Applied R&D team (Dr {pi})"
        else:
            team = f"{lab[1]} (Prof. {pi})"
        contact = (f"{pi}{SAMPLE_ZH} {org.slug}-tto@sample.example" if org.country == "CN"
                   else f"{pi}{SAMPLE_EN}, {org.slug}-tto@sample.example")
        patent_numbers: list[str] = []
        trl: int | None = None
        for _ in range(20):
            m1, m2 = rng.sample(range(len(topic.methods)), 2)
            method, method2 = topic.methods[m1][lang], topic.methods[m2][lang]
            comp = rng.choice(topic.components)[lang]
            ach, target = rng.choice(topic.achievements)[lang], rng.choice(topic.targets)[lang]
            service = rng.choice(SERVICES)[lang]
            if kind == "expertise":
                trl = rng.choice([None, topic.trl[0], topic.trl[0] + 1])
                if zh:
                    title = rng.choice([f"面向{comp}的{method}", f"{method}技术服务",
                                        f"{topic.field[0]}：{method}"])
                    text = [f"{team}长期从事{topic.field[0]}研究，在{method}、{method2}等方面有系统积累。",
                            f"团队曾{ach}。", f"可为企业提供{service}，帮助企业{target}。"]
                else:
                    title = rng.choice([f"{_cap1(method)} for {comp}", f"{_cap1(topic.field[1])}: {method}"])
                    text = [f"{team} works on {topic.field[1]}, with a focus on {method} and {method2}.",
                            f"In earlier projects the team {ach}.",
                            f"We offer {service} to help manufacturers {target}."]
            elif kind == "patent":
                trl = rng.randint(topic.trl[0], topic.trl[0] + 2)
                granted = rng.random() < 0.35
                number = self._patent_number(org, granted)
                patent_numbers = [number]
                licence = rng.choice(LICENCES)[lang]
                ptype = rng.choice(PATENT_TYPES)[lang]
                if zh:
                    title = f"一种基于{method}的{comp}{ptype}"
                    status = "发明专利已授权" if granted else "发明专利申请已公开"
                    text = [f"本发明公开了一种基于{method}的{comp}{ptype}，可{target}。",
                            f"专利号{number}，{status}，{licence}。"]
                else:
                    title = f"{ptype} {comp}, based on {method}"
                    text = [f"The patent {number} covers {method} applied to {comp}.",
                            f"It helps manufacturers {target}.",
                            f"{licence}; the inventors support the transfer."]
            elif kind == "equipment":
                equipment = rng.choice(topic.equipment)[lang]
                days = rng.randint(3, 10)
                if zh:
                    title = rng.choice([f"{equipment}开放共享", f"{equipment}检测服务",
                                        f"{equipment}（{org.short}）"])
                    text = [f"{team}所在实验室拥有{equipment}，可开展{topic.field[0]}相关测试与分析。",
                            f"平台面向企业开放共享，提供检测报告与数据分析，预约周期约{days}个工作日。"]
                else:
                    title = rng.choice([f"{_cap1(equipment)}: testing for industry",
                                        f"Shared {equipment} at {org.slug.upper()}"])
                    text = [f"{team} operates a {equipment}.",
                            f"Companies can book tests on {topic.field[1]}, "
                            "with data analysis and a test report.",
                            f"Typical lead time is {days} working days."]
            else:
                trl = rng.randint(max(5, topic.trl[0]), topic.trl[1])
                stage, mode = STAGES[trl][lang], rng.choice(TRANSFER_MODES)[lang]
                if zh:
                    title = rng.choice([f"{method}成果转化", f"{comp}{method}技术",
                                        f"{method}（可转化成果）"])
                    text = [f"该成果针对{topic.name[0]}问题，采用{method}，已{ach}。",
                            f"目前已完成{stage}（TRL {trl}），可通过{mode}方式与企业合作。"]
                else:
                    title = rng.choice([f"{_cap1(method)}, ready for transfer",
                                        f"Transferable result: {method} for {comp}"])
                    text = [f"This result addresses {_lower1(topic.name[1])}.",
                            f"Using {method}, the team {ach}.",
                            f"It has reached TRL {trl} ({stage}) and is available through {mode}."]
            if title not in self._titles:
                break
        self._titles.add(title)
        concepts = frozenset(rng.sample(range(len(topic.keywords)), rng.randint(3, 5)))
        return CapabilityPlan(
            org=org.key, topic=topic.key, language=language, kind=kind, title=title,
            description=("" if zh else " ").join(text), chain=topic.chain,
            keywords=[topic.keywords[k][lang] for k in sorted(concepts)], concepts=concepts, team=team,
            trl=trl, patent_numbers=patent_numbers, contact=contact,
        )

    def _patent_number(self, org: OrgPlan, granted: bool) -> str:
        digits = self.rng.randint(1_000_000, 9_999_999)
        office = "CN" if org.country == "CN" or self.rng.random() < 0.3 else PATENT_OFFICES[org.country]
        if office == "CN":
            return f"CN11{digits}{'B' if granted else 'A'}"
        if office == "EP":
            return f"EP3{digits}{'B1' if granted else 'A1'}"
        if office == "JP":
            return f"JP2022-{digits % 1_000_000:06d}A"
        if office == "KR":
            return f"KR10-2022-{digits}"
        return f"{office}11{digits}{'B2' if granted else 'A1'}"


def _grams(text: str) -> set[str]:
    """Two-character pieces of Chinese and lower-case words of English, for a rough overlap."""
    grams = {text[i:i + 2] for i in range(len(text) - 1) if "\u4e00" <= text[i] <= "\u9fff"}
    return grams | {w for w in text.lower().replace("-", " ").split() if len(w) > 3}


def _closest(rng: random.Random, issue: Issue, options: tuple[Bi, ...]) -> Bi:
    """The option that shares most with the issue, or a random one when none does."""
    mine = _grams(issue.short[0] + issue.detail[0]) | _grams(issue.short[1] + " " + issue.detail[1])
    scores = [len(mine & (_grams(o[0]) | _grams(o[1]))) for o in options]
    best = max(scores)
    return rng.choice([o for o, sc in zip(options, scores, strict=True) if sc == best])


def _spread(rng: random.Random, orgs: list, n: int) -> list:
    """n organisations drawn from orgs, as evenly as possible."""
    out: list = []
    while len(out) < n:
        batch = list(orgs)
        rng.shuffle(batch)
        out.extend(batch[: n - len(out)])
    return out


class _History:
    """When things were posted and what became of them, over the 24 months before `today`."""

    def __init__(self, rng: random.Random, content: _Content, today: date):
        self.rng = rng
        self.content = content
        self.start, self.end = history_window(today)
        self.months = [self._month(i) for i in range(HISTORY_MONTHS)]
        # Activity grows over the two years, which is what the dashboards should show.
        self.weights = [1 + 1.5 * i / (HISTORY_MONTHS - 1) for i in range(HISTORY_MONTHS)]
        self.needs = self._post(content.needs, catalogue_share=0.0)
        self.capabilities = self._post(content.capabilities, catalogue_share=0.35)
        for need in self.needs:
            days = rng.randint(180, 540)
            need.deadline = need.posted_at.date() + timedelta(days=days)
            if need.deadline <= today:
                # Every sample need is open on the load day, so its deadline lies ahead of that day: the same
                # draw, counted from today (30 to 120 days ahead), keeps the plan deterministic.
                need.deadline = today + timedelta(days=30 + days % 91)
        self.matches = self._matches()
        self.projects = self._projects()
        self.partnerships = self._partnerships()
        self._join_dates()

    def dataset(self) -> Dataset:
        users = [
            UserPlan(f"admin@{EMAIL_DOMAIN}", "admin", None),
            UserPlan(f"firm@{EMAIL_DOMAIN}", "firm_member", "firm-000"),
            UserPlan(f"tto@{EMAIL_DOMAIN}", "tech_transfer_officer", "u-dongzhe"),
            UserPlan(f"gov@{EMAIL_DOMAIN}", "government_analyst", "g-sx-jxj"),
        ]
        return Dataset(self.content.orgs, self.needs, self.capabilities, self.matches, self.projects,
                       self.partnerships, users)

    # time

    def _month(self, i: int) -> tuple[datetime, int]:
        months = self.start.year * 12 + self.start.month - 1 + i
        year, month = months // 12, months % 12 + 1
        return datetime(year, month, 1, tzinfo=CST), calendar.monthrange(year, month)[1]

    def moment(self, month: int) -> datetime:
        first, days = self.months[month]
        return first + timedelta(days=self.rng.randrange(days), hours=self.rng.randint(8, 19),
                                 minutes=self.rng.randrange(60))

    def weighted_month(self) -> int:
        return self.rng.choices(range(HISTORY_MONTHS), self.weights)[0]

    def days(self, t: datetime, low: float, high: float) -> datetime:
        return t + timedelta(days=self.rng.uniform(low, high))

    def _post(self, postings: list, *, catalogue_share: float) -> list:
        """Give each posting a date; a share goes into the first three months (the initial catalogue)."""
        for p in postings:
            month = self.rng.randrange(3) if self.rng.random() < catalogue_share else self.weighted_month()
            p.posted_at = self.moment(month)
        return sorted(postings, key=lambda p: p.posted_at)

    # matches

    def _matches(self) -> list[MatchPlan]:
        rng, needs, caps = self.rng, self.needs, self.capabilities
        by_topic: dict[str, list[int]] = {}
        by_chain: dict[str, list[int]] = {}
        for ci, cap in enumerate(caps):
            by_topic.setdefault(cap.topic, []).append(ci)
            by_chain.setdefault(cap.chain, []).append(ci)
        matches: list[MatchPlan] = []
        for ni, need in enumerate(needs):
            pool = by_topic[need.topic]
            k = rng.choice([2, 2, 3, 3, 3, 4])
            early = [ci for ci in pool if caps[ci].posted_at < need.posted_at + timedelta(days=45)]
            candidates = early if len(early) >= k + 2 else pool
            chosen = rng.sample(candidates, k)
            other = [ci for ci in candidates if caps[ci].language != need.language and ci not in chosen]
            if other and all(caps[ci].language == need.language for ci in chosen) and rng.random() < 0.5:
                chosen[-1] = rng.choice(other)
            pairs = [(ci, False) for ci in chosen]
            if rng.random() < 0.08:
                off = [ci for ci in by_chain[need.chain] if caps[ci].topic != need.topic]
                if off:
                    pairs.append((rng.choice(off), True))
            planned = []
            for ci, off_topic in pairs:
                at = max(need.posted_at, caps[ci].posted_at) + timedelta(hours=rng.uniform(0.2, 30))
                if at < self.end:
                    planned.append((self._proposal(ni, ci, at, off_topic), off_topic))
            planned.sort(key=lambda p: -p[0].fused)
            solved_at = None
            for rank, (match, off_topic) in enumerate(planned, start=1):
                match.rank = rank
                self._lifecycle(match, need, off_topic, solved_at)
                solved_at = solved_at or match.accepted_at
                matches.append(match)
        matches.sort(key=lambda m: m.proposed_at)
        return matches

    def _proposal(self, ni: int, ci: int, at: datetime, off_topic: bool) -> MatchPlan:
        """Scores on the engine's scales: e5 cosine, ts_rank, and the channel-mean reciprocal rank."""
        rng = self.rng
        need, cap = self.needs[ni], self.capabilities[ci]
        topic, cap_topic = TOPIC_BY_KEY[need.topic], TOPIC_BY_KEY[cap.topic]
        cross = need.language != cap.language
        shared = [] if off_topic else sorted(need.concepts & cap.concepts)
        if off_topic:
            dense, dense_rank = rng.uniform(0.765, 0.81), rng.randint(8, 20)
            lexical_rank = None if cross or rng.random() < 0.5 else rng.randint(15, 40)
            lexical = round(rng.uniform(0.005, 0.02), 4) if lexical_rank else None
            terms: list[str] = []
            why = (f"same industry chain, different problem ({_lower1(cap_topic.name[1])})",
                   f"同属一条产业链，但针对的是{cap_topic.name[0]}")
        else:
            dense, dense_rank = rng.uniform(0.8, 0.9) - (0.01 if cross else 0.0), rng.randint(1, 8)
            lexical_rank = None if cross else max(1, 1 + 2 * (5 - len(shared)) + rng.randint(0, 3))
            lexical = None if cross else round(0.02 + 0.015 * len(shared) + rng.uniform(0, 0.02), 4)
            if cross:
                terms = [f"{topic.keywords[k][0]} / {topic.keywords[k][1]}" for k in shared]
                why = (("matched across languages (Chinese need, English capability)",
                        "跨语言匹配（中文需求、英文能力）") if need.language == "zh" else
                       ("matched across languages (English need, Chinese capability)",
                        "跨语言匹配（英文需求、中文能力）"))
            else:
                lang = 0 if need.language == "zh" else 1
                terms = [topic.keywords[k][lang] for k in shared]
                why = ("shares the key terms " + ", ".join(terms) if terms else "no key terms in common",
                       "共同关键词：" + "、".join(terms) if terms else "没有共同关键词")
        channels = [1 / (60 + dense_rank)] + ([1 / (60 + lexical_rank)] if lexical_rank else [])
        # A channel that cannot see the other language is left out of the mean, as in matching.fusion.rrf.
        fused = sum(channels) / (1 if cross else 2)
        dense = round(dense, 4)
        label = similarity_label(dense)
        ranks = (f"{lexical_rank} by keywords and " if lexical_rank else "") + f"{dense_rank} by meaning"
        explanation = {
            "sample": True,
            "shared_terms": terms,
            "similarity": dense,
            "similarity_label": label,
            "lexical_rank": lexical_rank,
            "dense_rank": dense_rank,
            "chain_agrees": True,
            "cross_language": cross,
            "summary": f"Sample history: {why[0]}; semantic similarity {dense:.2f} ({label}); "
                       f"ranked {ranks}.",
            "summary_zh": f"示例历史数据：{why[1]}；语义相似度{dense:.2f}；语义检索排名第{dense_rank}。",
        }
        return MatchPlan(need=ni, capability=ci, dense=dense, lexical=lexical, fused=round(fused, 6), rank=0,
                         explanation=explanation, proposed_at=at)

    def _lifecycle(self, m: MatchPlan, need: NeedPlan, off_topic: bool, solved_at: datetime | None) -> None:
        rng, t0 = self.rng, m.proposed_at
        roll = rng.random()
        reason = rng.choices(list(DECLINE_WEIGHTS), list(DECLINE_WEIGHTS.values()))[0]
        if off_topic:
            outcome, reason = ("decline" if roll < 0.6 else "expire"), "out_of_scope"
        elif solved_at is not None:
            outcome, reason = ("decline" if roll < 0.5 else "expire"), "already_solved"
        else:
            accept = {1: 0.5, 2: 0.32}.get(m.rank, 0.2)
            outcome = "accept" if roll < accept else "decline" if roll < accept + 0.28 else "expire"
        first, second = ("firm", "university") if rng.random() < 0.55 else ("university", "firm")
        steps: list[MatchStep] = []
        if outcome == "accept":
            t1 = self.days(t0, 1, 20)
            steps = [MatchStep(first, t1), MatchStep(second, self.days(t1, 2, 30))]
        elif outcome == "decline":
            if rng.random() < 0.4:
                steps.append(MatchStep(first, self.days(t0, 1, 15)))
            t = self.days(steps[-1].at if steps else t0, 2, 25)
            if solved_at is not None:
                t = max(t, self.days(solved_at, 1, 10))
            note = rng.choice(DECLINE_NOTES[reason])[0 if need.language == "zh" else 1]
            steps.append(MatchStep("decline", t, reason, note))
        else:
            if rng.random() < 0.35:
                steps.append(MatchStep(first, self.days(t0, 1, 30)))
            t = self.days(t0, EXPIRY_DAYS, EXPIRY_DAYS + 10)
            if solved_at is not None:
                t = max(t, self.days(solved_at, 1, 10))
            steps.append(MatchStep("expire", t))
        m.steps = [s for s in steps if s.at < self.end]

    # projects

    def _projects(self) -> list[ProjectPlan]:
        rng, projects = self.rng, []
        for mi, m in enumerate(self.matches):
            accepted = m.accepted_at
            if accepted is None or rng.random() >= 0.75:
                continue
            created = self.days(accepted, 7, 35)
            if created >= self.end:
                continue
            need = self.needs[m.need]
            if need.budget_min is not None and need.budget_max is not None:
                value = _money(rng.uniform(float(need.budget_min), float(need.budget_max)))
            else:
                value = _money(rng.uniform(300_000, 2_000_000))
            title = (f"{need.subject}联合攻关项目{SAMPLE_ZH}" if need.language == "zh"
                     else f"Joint project on {need.subject}{SAMPLE_EN}")
            projects.append(self._progress(ProjectPlan(
                title=title, match=mi, parties=[], chain=need.chain, contract_value=value, major_level="none",
                created_at=created), english=need.language == "en"))
        projects += self._direct_projects()
        self._major_levels(projects)
        projects.sort(key=lambda p: p.created_at)
        return projects

    def _direct_projects(self, count: int = 18) -> list[ProjectPlan]:
        """Projects agreed outside the platform's matching and recorded directly."""
        rng, content = self.rng, self.content
        firms, labs = content.firms(), content.research(foreign=False)
        out = []
        for n in range(count):
            month = round(n * (HISTORY_MONTHS - 1) / (count - 1))
            topic = rng.choice(TOPICS)
            firm = rng.choice([f for f in firms if set(f.chains) & set(topic.firm_chains)])
            lab = rng.choice([o for o in labs if topic.chain in o.chains])
            parties = [firm.key, lab.key]
            if rng.random() < 0.25:
                more = [f for f in firms if topic.chain in f.chains and f.key != firm.key]
                if more:
                    parties.append(rng.choice(more).key)
            title = f"{topic.name[0]}联合攻关项目（{firm.short}×{lab.short}，示例）"
            out.append(self._progress(ProjectPlan(
                title=title, match=None, parties=parties, chain=topic.chain,
                contract_value=_money(rng.uniform(300_000, 3_000_000)), major_level="none",
                created_at=self.moment(month)), english=False))
        return out

    def _progress(self, p: ProjectPlan, *, english: bool) -> ProjectPlan:
        rng, end = self.rng, self.end
        steps: list[tuple[str, datetime]] = []
        duration = rng.uniform(240, 480)
        active = self.days(p.created_at, 10, 45)
        terminated = completed = None
        if rng.random() < 0.04:
            terminated = self.days(p.created_at, 20, 60)
            steps.append(("terminated", terminated))
        else:
            steps.append(("active", active))
            if rng.random() < 0.1:
                terminated = self.days(active, 60, 240)
                steps.append(("terminated", terminated))
            else:
                completed = active + timedelta(days=duration * rng.uniform(0.95, 1.15))
                steps.append(("completed", completed))
                if rng.random() < 0.6:
                    steps.append(("commercialised", self.days(completed, 45, 180)))
        p.steps = [s for s in steps if s[1] < end]
        reached_active = any(s == "active" for s, _ in p.steps)
        picked = sorted(rng.sample(range(1, len(MILESTONES) - 1), rng.choice([1, 2, 2, 3])))
        chosen = [0, *picked, len(MILESTONES) - 1]
        for i, m in enumerate(chosen, start=1):
            due = active + timedelta(days=duration * i / len(chosen))
            done: datetime | None = self.days(due, -10, 20)
            if completed is not None:
                done = min(done, completed)
            if (not reached_active or done < active or done >= end
                    or (terminated is not None and done >= terminated)):
                done = None
            p.milestones.append((MILESTONES[m][1 if english else 0], due.date(),
                                 done.date() if done else None))
        return p

    def _major_levels(self, projects: list[ProjectPlan]) -> None:
        """A few big projects enter the municipal, provincial or national major-project lists."""
        rng = self.rng
        pool = sorted((p for p in projects if p.contract_value >= 800_000), key=lambda p: -p.contract_value)
        national = rng.sample(pool[:8], 2)
        rest = [p for p in pool if p not in national]
        provincial = rng.sample(rest[:25], 6)
        rest = [p for p in rest if p not in provincial]
        municipal = rng.sample(rest, min(12, len(rest)))
        for level, chosen, factor in (("national", national, 3.0), ("provincial", provincial, 1.8),
                                      ("municipal", municipal, 1.2)):
            for p in chosen:
                p.major_level = level
                p.contract_value = _money(float(p.contract_value) * factor)

    # partnerships

    def _partnerships(self, count: int = 52) -> list[PartnershipPlan]:
        rng, content = self.rng, self.content
        foreign = content.research(foreign=True)
        companies = [o for o in foreign if o.key in FOREIGN_COMPANIES]
        labs = content.research(foreign=False)
        firms = [f for f in content.firms() if f.region in SHAOXING_DISTRICTS]
        months = sorted(list(range(HISTORY_MONTHS))
                        + rng.choices(range(HISTORY_MONTHS), self.weights, k=count - HISTORY_MONTHS))
        out = []
        for month in months:
            kind = rng.choices(list(PARTNERSHIP_KIND_WEIGHTS), list(PARTNERSHIP_KIND_WEIGHTS.values()))[0]
            partner = (rng.choice(companies) if kind in ("investment", "licensing") and rng.random() < 0.5
                       else rng.choice(foreign))
            academic = kind in ("talent_exchange", "co_publication")
            locals_ = labs if rng.random() < (0.7 if academic else 0.2) else firms
            fitting = [o for o in locals_ if set(o.chains) & set(partner.chains)] or locals_
            local = rng.choice(fitting)
            topics = [t for t in TOPICS if t.chain in partner.chains and t.chain in local.chains]
            topic = rng.choice(topics or [t for t in TOPICS if t.chain in partner.chains])
            at = self.moment(month)
            low, high = PARTNERSHIP_VALUES[kind]
            value = _money(rng.uniform(low, high)) if high else Decimal(0)
            ended = {"talent_exchange": (180, 365), "co_publication": (30, 200),
                     "joint_rd": (540, 1100)}.get(kind)
            ended_on = None
            if ended is not None:
                candidate = at.date() + timedelta(days=rng.randint(*ended))
                ended_on = candidate if candidate < self.end.date() else None
            text = PARTNERSHIP_TEXT[kind].format(
                topic=topic.name[0], field=topic.field[0], method=rng.choice(topic.methods)[0],
                comp=rng.choice(topic.components)[0], foreign=partner.short, local=local.short)
            out.append(PartnershipPlan(local=local.key, foreign=partner.key, kind=kind, chain=topic.chain,
                                       value=value, started_on=at.date(), ended_on=ended_on,
                                       description=f"{text}（示例数据）", at=at))
        return out

    # organisations join before their first activity

    def _join_dates(self) -> None:
        first: dict[str, datetime] = {}

        def seen(key: str, at: datetime) -> None:
            if key not in first or at < first[key]:
                first[key] = at

        for p in [*self.needs, *self.capabilities]:
            seen(p.org, p.posted_at)
        for s in self.partnerships:
            seen(s.local, s.at)
            seen(s.foreign, s.at)
        for pr in self.projects:
            for key in pr.parties:
                seen(key, pr.created_at)
        for org in self.content.orgs:
            anchor = first.get(org.key, self.start)
            org.joined_at = self.days(anchor, -60 if org.key not in first else -40, -3)
